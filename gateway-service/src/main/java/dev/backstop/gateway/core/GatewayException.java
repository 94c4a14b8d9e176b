package dev.backstop.gateway.core;

import java.util.Map;

/** A refusal with a stable code; rendered as {"error":{"code","message","details"}}. */
public class GatewayException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, Object> details;

    public GatewayException(ErrorCode code, String message, Map<String, Object> details) {
        super(message == null ? code.defaultMessage() : message);
        this.code = code;
        this.details = details == null ? Map.of() : Map.copyOf(details);
    }

    public GatewayException(ErrorCode code, String message) {
        this(code, message, Map.of());
    }

    public GatewayException(ErrorCode code) {
        this(code, null, Map.of());
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }
}
