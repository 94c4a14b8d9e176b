package dev.backstop.gateway.core;

import java.util.Map;

/** A refusal with a stable code; rendered as {"error":{"code","message","details"}}. */
public class GatewayException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, Object> details;
    private final boolean completionWritten;

    public GatewayException(ErrorCode code, String message, Map<String, Object> details) {
        this(code, message, details, false);
    }

    private GatewayException(ErrorCode code, String message, Map<String, Object> details, boolean completionWritten) {
        super(message == null ? code.defaultMessage() : message);
        this.code = code;
        this.details = details == null ? Map.of() : Map.copyOf(details);
        this.completionWritten = completionWritten;
    }

    /**
     * The same refusal, for a request whose audit completion its thrower has already written with more than the
     * error (an outcome that is unknown, with its commit point): the request's catch-all must not write another.
     */
    public GatewayException withCompletionWritten() {
        return new GatewayException(code, getMessage(), details, true);
    }

    public boolean completionWritten() {
        return completionWritten;
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
