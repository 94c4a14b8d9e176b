package dev.backstop.sidecar;

import dev.backstop.snapshot.Heartbeat;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.store.ObjectMeta;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The heartbeat is published only after its row came back through the stream and every earlier change is durable;
 * the metrics design.md names carry real values.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class HeartbeatAndMetricsIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void heartbeatFollowsDurableChangesAndMetricsAreSet(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
        try (Sidecar sidecar = fx.start(fx.config("sc-hb", List.of("public.t"), 1, Map.of()));
             ObjectStore store = fx.store()) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            RecoveryPointCatalog cat = fx.catalog(store);
            Lsn changeLsn;
            Instant committedAt;
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO t VALUES (3, 'c'), (4, 'd'), (5, 'e')");
                s.execute("UPDATE t SET v = 'B' WHERE id = 2");
                s.execute("DELETE FROM t WHERE id = 1");
                changeLsn = SidecarFixture.currentLsn(c);
                try (ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
                    rs.next();
                    committedAt = rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
                }
            }
            // Wait for a heartbeat whose row was written after the changes committed.
            Heartbeat hb = null;
            for (int i = 0; i < 600 && (hb == null || !hb.writtenAt().isAfter(committedAt)); i++) {
                Thread.sleep(50);
                hb = cat.readHeartbeat("sc-hb").orElse(null);
            }
            assertTrue(hb != null && hb.writtenAt().isAfter(committedAt), "a later heartbeat was published");
            assertTrue(hb.lsn().compareTo(changeLsn) > 0, "its row came back through the stream after the changes");
            assertTrue(hb.durableLsn().compareTo(hb.lsn()) >= 0);
            // ... and every change before it was already durable when it was published.
            Manifest m = cat.latestManifest(fx.table("public.t")).value().manifest();
            assertTrue(m.coveredLsn().compareTo(changeLsn) >= 0);
            SidecarFixture.assertSameRows("t", Map.of(List.of(2, "B"), 1, List.of(3, "c"), 1, List.of(4, "d"), 1,
                    List.of(5, "e"), 1), fx.replay(store, m, m.coveredLsn()));

            Thread.sleep(2500); // a monitor round after the heartbeat
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + sidecar.httpPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertEquals(5.0, value(metrics, "backstop_sidecar_events_written_total", "").orElseThrow(),
                    "3 inserts + 1 update + 1 delete");
            long dataBytes = 0;
            for (ObjectMeta o : store.list(SidecarFixture.PREFIX + "/tables/")) {
                if (o.key().endsWith(".parquet")) {
                    dataBytes += o.size();
                }
            }
            assertEquals((double) dataBytes, value(metrics, "backstop_sidecar_bytes_written_total", "").orElseThrow());
            assertEquals(0.0, value(metrics, "backstop_sidecar_s3_errors_total", "").orElseThrow());
            double age = value(metrics, "backstop_snapshot_age_seconds", "{table=\"public.t\"}").orElseThrow();
            assertTrue(age >= 0 && age < 30, "snapshot age " + age);
            double hbAge = value(metrics, "backstop_sidecar_heartbeat_age_seconds", "").orElseThrow();
            assertTrue(hbAge >= 0 && hbAge < 30, "heartbeat age " + hbAge);
            double lag = value(metrics, "backstop_cdc_lag_bytes", "").orElseThrow();
            assertTrue(lag >= 0 && lag < 16 * 1024 * 1024, "lag " + lag);
            assertTrue(value(metrics, "backstop_sidecar_durable_lsn", "").orElseThrow() >= changeLsn.value());
            assertEquals(1.0, value(metrics, "backstop_sidecar_cdc_running", "").orElseThrow());
        }
        assertEquals(List.of(), fx.alerts);
    }

    static Optional<Double> value(String text, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + labels) + " (\\S+)$").matcher(text);
        return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
    }
}
