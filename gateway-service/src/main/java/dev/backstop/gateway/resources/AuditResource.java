package dev.backstop.gateway.resources;

import dev.backstop.gateway.auth.Scopes;
import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.GatewayException;
import dev.backstop.gateway.db.AuditReader;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

@Path("/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public final class AuditResource {
    private final AuditReader reader;

    public AuditResource(AuditReader reader) {
        this.reader = reader;
    }

    @GET
    public Map<String, Object> list(@Context HttpServletRequest http, @QueryParam("since") String since,
                                    @QueryParam("principal") String principal, @QueryParam("outcome") String outcome,
                                    @QueryParam("limit") Integer limit) {
        Requests.requireOperator(http, Scopes.AUDIT_READ);
        Instant from = null;
        if (since != null) {
            try {
                from = Instant.parse(since);
            } catch (DateTimeParseException e) {
                throw new GatewayException(ErrorCode.INVALID_PARAMETER, "since must be an ISO-8601 instant",
                        Map.of("parameter", "since"));
            }
        }
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > 1000) {
            throw new GatewayException(ErrorCode.INVALID_PARAMETER, "limit must be 1..1000", Map.of("parameter", "limit"));
        }
        try {
            return Map.of("records", reader.list(from, principal, outcome, n));
        } catch (SQLException e) {
            throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE, "the audit log cannot be read");
        }
    }

    @GET
    @Path("/verify")
    public AuditReader.Verification verify(@Context HttpServletRequest http) {
        Requests.requireOperator(http, Scopes.AUDIT_READ);
        try {
            return reader.verify();
        } catch (SQLException e) {
            throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE, "the audit log cannot be read");
        }
    }
}
