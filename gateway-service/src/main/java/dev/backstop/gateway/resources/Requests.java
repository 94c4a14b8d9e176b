package dev.backstop.gateway.resources;

import dev.backstop.gateway.auth.Role;
import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.GatewayException;
import dev.backstop.gateway.core.RequestContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;

/** Access checks shared by the resources. The principal always comes from the authenticated context. */
final class Requests {
    private Requests() {
    }

    static RequestContext ctx(HttpServletRequest req) {
        Object o = req.getAttribute(RequestContext.ATTRIBUTE);
        if (!(o instanceof RequestContext ctx)) {
            throw new GatewayException(ErrorCode.UNAUTHORIZED);
        }
        return ctx;
    }

    static RequestContext require(HttpServletRequest req, String scope) {
        RequestContext ctx = ctx(req);
        if (!ctx.principal().hasScope(scope)) {
            throw new GatewayException(ErrorCode.FORBIDDEN, "this requires scope " + scope, Map.of("scope", scope));
        }
        return ctx;
    }

    static RequestContext requireOperator(HttpServletRequest req, String scope) {
        RequestContext ctx = require(req, scope);
        if (ctx.principal().role() != Role.OPERATOR) {
            throw new GatewayException(ErrorCode.FORBIDDEN, "this requires the operator role", Map.of("role", "operator"));
        }
        return ctx;
    }
}
