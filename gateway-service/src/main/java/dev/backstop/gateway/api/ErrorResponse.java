package dev.backstop.gateway.api;

import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.GatewayException;
import java.util.Map;

/** The one error shape: {"error":{"code","message","details"}}. */
public record ErrorResponse(Body error) {
    public record Body(String code, String message, Map<String, Object> details) {
    }

    public static ErrorResponse of(ErrorCode code, String message, Map<String, Object> details) {
        return new ErrorResponse(new Body(code.code(), message == null ? code.defaultMessage() : message,
                details == null ? Map.of() : details));
    }

    public static ErrorResponse of(GatewayException e) {
        return of(e.code(), e.getMessage(), e.details());
    }
}
