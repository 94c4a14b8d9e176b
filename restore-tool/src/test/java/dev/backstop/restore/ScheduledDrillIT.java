package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.sidecar.DrillSchedule;
import dev.backstop.testsupport.DedicatedS3Server;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3Server;
import dev.backstop.testsupport.S3ServerExtension;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar's scheduled drill running the real restore tool as its child process (a JVM of its own, as
 * {@code ./backstop restore drill --all --json} would), against the real sidecar's recovery points: a healthy chain
 * passes; with S3 stopped the drill's own verdict is "failed" (it alerts itself; the sidecar only records it).
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
@DedicatedS3Server
class ScheduledDrillIT {
    @TempDir
    Path dir;

    @Test
    void theSidecarRunsTheRealDrillAndRecordsItsVerdict(PgDatabase db, S3Endpoint s3, S3Server server) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "sched")) {
            Orders.create(db, 300);
            cap.start(List.of("public.orders"), Map.of());
            cap.flush();

            List<String> command = new ArrayList<>(List.of("env"));
            cap.env().forEach((k, v) -> command.add(k + "=" + v)); // the config's ${TEST_ACCESS_KEY} and secret
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), RestoreCli.class.getName(),
                    "--config", cap.config().toString(), "drill", "--all", "--json"));
            PrometheusRegistry registry = new PrometheusRegistry();
            List<String> sidecarAlerts = new ArrayList<>();
            DrillSchedule drills = new DrillSchedule(command, Duration.ofSeconds(120), registry,
                    (type, severity, table, message) -> sidecarAlerts.add(type + ": " + message), Clock.systemUTC());

            DrillSchedule.Outcome passed = drills.runOnce();
            assertTrue(passed.passed(), passed.detail());
            JsonNode result = new ObjectMapper().readTree(passed.detail());
            assertEquals("public.orders", result.get("tables").get(0).get("table").asText());
            assertEquals(300, result.get("tables").get(0).get("rows").asLong());
            assertEquals(1.0, gauge(registry, "backstop_sidecar_drill_success"));
            assertEquals(0L, db.queryValue("SELECT count(*) FROM pg_class WHERE relname LIKE 'orders__drill_%'"));

            server.stop();
            try {
                DrillSchedule.Outcome failed = drills.runOnce();
                assertFalse(failed.passed());
                assertTrue(failed.verdict(), "the drill itself reported the failure: " + failed.detail());
                assertTrue(failed.detail().contains("object store unavailable"), failed.detail());
                assertEquals(0.0, gauge(registry, "backstop_sidecar_drill_success"));
                assertEquals(List.of(), sidecarAlerts, "the drill alerts its own failures; the sidecar adds none");
            } finally {
                server.start();
            }
        }
    }

    private static double gauge(PrometheusRegistry registry, String name) {
        return registry.scrape().stream().filter(s -> s.getMetadata().getPrometheusName().equals(name))
                .map(s -> ((GaugeSnapshot) s).getDataPoints().get(0).getValue()).findFirst().orElseThrow();
    }
}
