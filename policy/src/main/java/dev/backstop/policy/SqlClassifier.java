package dev.backstop.policy;

/**
 * Layer 1: classifies a request's SQL text. Never throws: anything not understood (including
 * parser errors, timeouts, stack overflows, over-long text) comes back as a CRITICAL statement with
 * reason {@code parse_failure} or a more specific code. Thread-safe.
 */
public final class SqlClassifier {
    private final long maxStatementBytes;

    public SqlClassifier(long maxStatementBytes) {
        this.maxStatementBytes = maxStatementBytes;
    }

    public Classification classify(String sql) {
        throw new UnsupportedOperationException("TODO");
    }
}
