package dev.backstop.gateway.resources;

import dev.backstop.gateway.api.ErrorResponse;
import dev.backstop.gateway.core.AuditCompletion;
import dev.backstop.gateway.core.AuditUnavailableException;
import dev.backstop.gateway.core.Auditor;
import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.GatewayMetrics;
import dev.backstop.gateway.core.RequestContext;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;

/**
 * Audits every authenticated request that no service audited itself (reads, refusals, errors),
 * before the response is sent. If that record cannot be written the response is replaced by
 * 503 audit_unavailable: nothing is served unaudited.
 */
public final class AuditResponseFilter implements ContainerResponseFilter {
    private final Auditor auditor;
    private final GatewayMetrics metrics;

    public AuditResponseFilter(Auditor auditor, GatewayMetrics metrics) {
        this.auditor = auditor;
        this.metrics = metrics;
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (!(request.getProperty(RequestContext.ATTRIBUTE) instanceof RequestContext ctx)) {
            return;
        }
        if (!auditUnclaimed(auditor, metrics, ctx, response.getStatus())) {
            response.setStatus(ErrorCode.AUDIT_UNAVAILABLE.httpStatus());
            response.setEntity(ErrorResponse.of(ErrorCode.AUDIT_UNAVAILABLE, null, null),
                    new java.lang.annotation.Annotation[0], MediaType.APPLICATION_JSON_TYPE);
        }
    }

    /**
     * Audits the request with its final status unless a service already did. Returns false if the
     * record could not be written: the caller must then answer 503 audit_unavailable instead.
     */
    static boolean auditUnclaimed(Auditor auditor, GatewayMetrics metrics, RequestContext ctx, int status) {
        if (ctx.auditClaimed()) {
            return true;
        }
        ErrorCode code = ctx.errorCode();
        try {
            auditor.record(ctx, auditor.entry(ctx).build(),
                    AuditCompletion.builder(auditor.now(), status < 400 ? "ok" : "error", status, ctx.elapsedMillis())
                            .error(code, code == null ? null : code.defaultMessage()).build());
            return true;
        } catch (AuditUnavailableException e) {
            metrics.error(ErrorCode.AUDIT_UNAVAILABLE);
            return false;
        }
    }
}
