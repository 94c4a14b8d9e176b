package dev.backstop.sidecar;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where the sidecar raises alerts (design.md "Alerts"). The default logs at ERROR; tests capture them. */
@FunctionalInterface
public interface AlertSink {
    void alert(String eventType, String severity, String table, String message);

    static AlertSink logging() {
        Logger log = LoggerFactory.getLogger(AlertSink.class);
        return (type, severity, table, message) -> log.error("ALERT {} [{}] table={}: {}", type, severity, table, message);
    }
}
