package dev.backstop.sidecar.pg;

import java.io.IOException;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for the base copy's worker tasks and rethrowing their failures as they were. */
final class Futures {
    private Futures() {
    }

    /** The task's result; an interrupt while waiting is kept for the caller, not lost, and the wait goes on. */
    static <T> T getUninterruptibly(Future<T> f) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Throws {@code t} if it is unchecked; otherwise returns it as an IOException for the caller to throw. */
    static IOException asIOException(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof IOException io ? io : new IOException(t);
    }

    /** As {@link #asIOException}, but an SQLException is thrown as it is. */
    static IOException rethrowable(Throwable t) throws SQLException {
        if (t instanceof SQLException e) {
            throw e;
        }
        return asIOException(t);
    }
}
