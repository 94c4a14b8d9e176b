package dev.backstop.sidecar;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the sidecar raises alerts (design.md "Alerts"). {@code eventType} is the wire name of the alerts module's
 * {@code AlertEvent} ({@code table_dropped}, {@code snapshot_failure}, {@code s3_failure}); {@code severity} is
 * {@code critical} or {@code warning}. Implementations must return at once and never throw. The default logs at ERROR.
 */
@FunctionalInterface
public interface AlertSink {
    void alert(String eventType, String severity, String table, String message);

    static AlertSink logging() {
        Logger log = LoggerFactory.getLogger(AlertSink.class);
        return (type, severity, table, message) -> log.error("ALERT {} [{}] table={}: {}", type, severity, table, message);
    }
}
