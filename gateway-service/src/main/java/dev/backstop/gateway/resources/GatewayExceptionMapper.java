package dev.backstop.gateway.resources;

import dev.backstop.gateway.api.ErrorResponse;
import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.GatewayException;
import dev.backstop.gateway.core.GatewayMetrics;
import dev.backstop.gateway.core.RequestContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Map;

/** Renders every exception as the one error shape with a stable code, and remembers the code for the audit. */
public final class GatewayExceptionMapper implements ExceptionMapper<Throwable> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GatewayExceptionMapper.class);

    @Context
    private HttpServletRequest request;

    private final GatewayMetrics metrics;

    public GatewayExceptionMapper(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public Response toResponse(Throwable t) {
        GatewayException e = translate(t);
        if (request != null && request.getAttribute(RequestContext.ATTRIBUTE) instanceof RequestContext ctx) {
            ctx.errorCode(e.code());
        }
        metrics.error(e.code());
        return Response.status(e.code().httpStatus()).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorResponse.of(e)).build();
    }

    static GatewayException translate(Throwable t) {
        if (t instanceof GatewayException g) {
            return g;
        }
        if (t instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
            return new GatewayException(ErrorCode.MALFORMED_JSON, "unknown field '" + u.getPropertyName() + "'",
                    Map.of("field", u.getPropertyName()));
        }
        if (t instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m) {
            String field = m.getPath().isEmpty() ? "" : String.valueOf(m.getPath().get(0).getFieldName());
            return new GatewayException(ErrorCode.MALFORMED_JSON,
                    field.isEmpty() ? "the body is not the expected JSON object" : "field '" + field + "' has the wrong type",
                    field.isEmpty() ? Map.of() : Map.of("field", field));
        }
        if (t instanceof com.fasterxml.jackson.core.JsonProcessingException p) {
            var loc = p.getLocation();
            return new GatewayException(ErrorCode.MALFORMED_JSON, "the body is not valid JSON",
                    loc == null ? Map.of() : Map.of("line", loc.getLineNr(), "column", loc.getColumnNr()));
        }
        if (t instanceof jakarta.ws.rs.WebApplicationException w) {
            int status = w.getResponse().getStatus();
            ErrorCode code = switch (status) {
                case 400 -> ErrorCode.INVALID_PARAMETER;
                case 404 -> ErrorCode.NOT_FOUND;
                case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
                case 406 -> ErrorCode.NOT_ACCEPTABLE;
                case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
                case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
                default -> ErrorCode.INTERNAL_ERROR;
            };
            if (code == ErrorCode.INTERNAL_ERROR) {
                LOG.error("unexpected HTTP error", t);
            }
            return new GatewayException(code);
        }
        LOG.error("unexpected error", t);
        return new GatewayException(ErrorCode.INTERNAL_ERROR);
    }
}
