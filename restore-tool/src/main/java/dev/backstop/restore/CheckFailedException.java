package dev.backstop.restore;

/** What was asked cannot be done or did not pass a check; exit code {@link ExitCode#CHECK_FAILED}. */
final class CheckFailedException extends RuntimeException {
    CheckFailedException(String message) {
        super(message);
    }
}
