package dev.backstop.bypass;

import dev.backstop.testsupport.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.alerts.AlertSink;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/** Every series exists from construction on, before any poll, so rules see 0 rather than nothing. */
class BypassMetricsTest {

    @Test
    void allSeriesAreExportedWithHelpBeforeTheFirstPoll() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        PrometheusRegistry registry = new PrometheusRegistry();
        SwitchableDataSource unused = new SwitchableDataSource(null);
        unused.refuse = true;
        try (BypassDetector d = new BypassDetector(BypassDetectorSettings.defaults(List.of("agent", "reporting")),
                unused, new MutableClock(Instant.parse("2026-11-26T10:00:00Z")), scheduler, registry, AlertSink.NONE)) {
            Map<String, Double> expected = new LinkedHashMap<>();
            expected.put("backstop_bypass_connections{role=\"agent\"}", 0.0);
            expected.put("backstop_bypass_connections{role=\"reporting\"}", 0.0);
            expected.put("backstop_bypass_detections_total{role=\"agent\"}", 0.0);
            expected.put("backstop_bypass_detections_total{role=\"reporting\"}", 0.0);
            expected.put("backstop_bypass_poll_errors_total", 0.0);
            expected.put("backstop_posture_degraded", 1.0); // not looked yet: not protected
            for (String check : PostureWarning.CHECKS) {
                expected.put("backstop_posture_warnings{check=\"" + check + "\"}", 0.0);
            }
            assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(MetricsText.values(registry)));
            String text = MetricsText.text(registry);
            for (String name : List.of("backstop_bypass_connections", "backstop_bypass_detections_total",
                    "backstop_bypass_poll_errors_total", "backstop_posture_degraded", "backstop_posture_warnings")) {
                assertTrue(text.contains("# HELP " + name + " "), name);
            }
            assertEquals(PostureState.DEGRADED, d.posture().state());
            // A second detector on the same registry is a wiring mistake and says so.
            assertThrows(IllegalArgumentException.class, () -> new BypassDetector(
                    BypassDetectorSettings.defaults(List.of("agent")), unused,
                    new MutableClock(Instant.EPOCH), scheduler, registry, AlertSink.NONE));
        } finally {
            scheduler.shutdownNow();
        }
    }
}
