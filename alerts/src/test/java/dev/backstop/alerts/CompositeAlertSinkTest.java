package dev.backstop.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompositeAlertSinkTest {

    static final class Recording implements AlertSink {
        final List<Alert> alerts = new ArrayList<>();
        boolean closed;

        @Override
        public void send(Alert alert) {
            alerts.add(alert);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void aFailingSinkDoesNotStopTheOthersNorReachTheCaller() {
        Recording first = new Recording();
        Recording last = new Recording();
        AlertSink broken = new AlertSink() {
            @Override
            public void send(Alert alert) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void close() {
                throw new IllegalStateException("boom");
            }
        };
        CompositeAlertSink sink = CompositeAlertSink.of(first, broken, new LoggingAlertSink(), last);
        Alert alert = Alert.builder(AlertEvent.PAUSED, Instant.parse("2026-11-26T00:00:00Z")).build();

        sink.send(alert);
        sink.close();

        assertEquals(List.of(alert), first.alerts);
        assertEquals(List.of(alert), last.alerts);
        assertEquals(true, first.closed);
        assertEquals(true, last.closed);
    }
}
