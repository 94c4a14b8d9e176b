package dev.backstop.snapshot;

/** A document or file does not follow the snapshot format. The message is safe to show to operators. */
public class FormatException extends RuntimeException {
    public FormatException(String message) {
        super(message);
    }

    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
