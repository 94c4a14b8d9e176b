package dev.backstop.restore;

/** Refused before anything was changed (e.g. the target table exists); exit code {@link ExitCode#USAGE}. */
final class RefusedException extends RuntimeException {
    RefusedException(String message) {
        super(message);
    }
}
