package dev.backstop.alerts;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends each alert to several sinks; one failing sink neither stops the others nor reaches the caller. */
public final class CompositeAlertSink implements AlertSink {
    private static final Logger LOG = LoggerFactory.getLogger(CompositeAlertSink.class);
    private final List<AlertSink> sinks;

    public CompositeAlertSink(List<? extends AlertSink> sinks) {
        this.sinks = List.copyOf(sinks);
    }

    public static CompositeAlertSink of(AlertSink... sinks) {
        return new CompositeAlertSink(List.of(sinks));
    }

    @Override
    public void send(Alert alert) {
        for (AlertSink sink : sinks) {
            try {
                sink.send(alert);
            } catch (RuntimeException e) {
                LOG.warn("alert sink {} failed: {}", sink.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /** Closes every sink, in order, even if one fails. */
    @Override
    public void close() {
        for (AlertSink sink : sinks) {
            try {
                sink.close();
            } catch (RuntimeException e) {
                LOG.warn("alert sink {} failed to close: {}", sink.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
