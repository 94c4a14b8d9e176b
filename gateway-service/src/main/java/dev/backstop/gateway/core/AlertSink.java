package dev.backstop.gateway.core;

/** Where alerts go. {@link #send} never blocks and never throws: a query must not wait for an alert. */
public interface AlertSink {
    void send(Alert alert);

    AlertSink NONE = alert -> { };
}
