package dev.backstop.gateway.core;

/** The audit store did not confirm a write: the request must not execute. */
public class AuditUnavailableException extends GatewayException {
    public AuditUnavailableException(Throwable cause) {
        super(ErrorCode.AUDIT_UNAVAILABLE);
        if (cause != null) {
            initCause(cause);
        }
    }
}
