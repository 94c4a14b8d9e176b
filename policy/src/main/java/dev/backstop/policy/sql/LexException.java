package dev.backstop.policy.sql;

/** The text is not lexically valid PostgreSQL (unterminated string, comment, bad escape, ...). */
public final class LexException extends Exception {
    private final int offset;

    public LexException(String message, int offset) {
        super(message + " at offset " + offset, null, false, false);
        this.offset = offset;
    }

    public int offset() {
        return offset;
    }
}
