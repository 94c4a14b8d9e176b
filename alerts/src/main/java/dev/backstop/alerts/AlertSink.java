package dev.backstop.alerts;

/**
 * Where alerts go. Contract for every implementation: {@link #send} returns at once and never throws, so a
 * query (or a poll) never waits for, or fails because of, an alert.
 */
public interface AlertSink extends AutoCloseable {

    void send(Alert alert);

    /** Releases resources; a sink that queues tries to deliver what is queued first (bounded). */
    @Override
    default void close() {
    }

    /** A sink that discards everything (no alerting configured). */
    AlertSink NONE = alert -> { };
}
