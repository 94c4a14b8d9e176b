package dev.backstop.restore;

/** The database could not be reached or a statement failed; exit code {@link ExitCode#DATABASE}. */
final class DatabaseException extends RuntimeException {
    DatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
