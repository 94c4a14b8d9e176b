package dev.backstop.gateway.db;

import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.GatewayException;

/** No connection to the target database could be obtained; nothing was executed. */
public class DatabaseUnavailableException extends GatewayException {
    public DatabaseUnavailableException(Throwable cause) {
        super(ErrorCode.DATABASE_UNAVAILABLE);
        initCause(cause);
    }
}
