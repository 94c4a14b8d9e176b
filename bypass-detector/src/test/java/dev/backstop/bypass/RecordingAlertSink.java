package dev.backstop.bypass;

import dev.backstop.alerts.Alert;
import dev.backstop.alerts.AlertEvent;
import dev.backstop.alerts.AlertSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every alert, synchronously, so a test can assert exactly which were sent. */
final class RecordingAlertSink implements AlertSink {
    final List<Alert> alerts = new CopyOnWriteArrayList<>();

    @Override
    public void send(Alert alert) {
        alerts.add(alert);
    }

    List<AlertEvent> events() {
        return alerts.stream().map(Alert::event).toList();
    }
}
