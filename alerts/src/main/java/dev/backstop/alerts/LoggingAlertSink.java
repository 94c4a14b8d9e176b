package dev.backstop.alerts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each alert as one log line (logger {@code dev.backstop.alerts}): ERROR for critical, WARN for
 * warning, INFO for info. The line carries the alert's JSON, which by contract holds no SQL text.
 */
public final class LoggingAlertSink implements AlertSink {
    private static final Logger LOG = LoggerFactory.getLogger("dev.backstop.alerts");

    @Override
    public void send(Alert alert) {
        try {
            String json = AlertJson.toJson(alert);
            switch (alert.severity()) {
                case CRITICAL -> LOG.error("alert {}: {}", alert.event().wireName(), json);
                case WARNING -> LOG.warn("alert {}: {}", alert.event().wireName(), json);
                default -> LOG.info("alert {}: {}", alert.event().wireName(), json);
            }
        } catch (RuntimeException e) {
            LOG.warn("alert could not be logged: {}", e.toString());
        }
    }
}
