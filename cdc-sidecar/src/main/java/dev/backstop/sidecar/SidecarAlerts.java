package dev.backstop.sidecar;

import dev.backstop.alerts.Alert;
import dev.backstop.alerts.AlertEvent;
import dev.backstop.alerts.CompositeAlertSink;
import dev.backstop.alerts.LoggingAlertSink;
import dev.backstop.alerts.Severity;
import dev.backstop.alerts.WebhookAlertSink;
import dev.backstop.alerts.WebhookSettings;
import java.net.URI;
import java.time.Clock;

/**
 * The sidecar's alerts in the shared format (design.md "Alerts"): always logged, and POSTed to the
 * webhook when one is configured. Also adapts the sidecar's own {@link AlertSink} calls to it.
 */
public final class SidecarAlerts implements AutoCloseable {
    private final dev.backstop.alerts.AlertSink sink;
    private final Clock clock;

    private SidecarAlerts(dev.backstop.alerts.AlertSink sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    /** @param webhookUrl blank for none */
    public static SidecarAlerts start(String webhookUrl, Clock clock) {
        dev.backstop.alerts.AlertSink logging = new LoggingAlertSink();
        if (webhookUrl == null || webhookUrl.isBlank()) {
            return new SidecarAlerts(logging, clock);
        }
        return new SidecarAlerts(CompositeAlertSink.of(logging,
                WebhookAlertSink.start(WebhookSettings.defaults(URI.create(webhookUrl)))), clock);
    }

    /** The shared sink, for components that speak the alerts module's API (bypass detection). */
    public dev.backstop.alerts.AlertSink sink() {
        return sink;
    }

    /** The sidecar's own alert calls, forwarded in the shared format. Never blocks, never throws. */
    public AlertSink forSidecar() {
        return (eventType, severity, table, message) -> {
            try {
                AlertEvent event = AlertEvent.fromWireName(eventType);
                Alert.Builder b = Alert.builder(event, clock.instant()).source("sidecar").summary(message)
                        .severity("critical".equals(severity) ? Severity.CRITICAL : Severity.WARNING);
                if (table != null) {
                    b.table(table);
                }
                sink.send(b.build());
            } catch (RuntimeException e) {
                AlertSink.logging().alert(eventType, severity, table, message);
            }
        };
    }

    @Override
    public void close() {
        try {
            sink.close();
        } catch (Exception ignored) {
            // alert sinks drain with a bound and never fail the shutdown
        }
    }
}
