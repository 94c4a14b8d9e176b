package dev.backstop.sidecar;

import dev.backstop.snapshot.Heartbeat;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.testsupport.DedicatedS3Server;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Done means 4 (S3 outage): while S3 is down the sidecar keeps capturing, but neither the replication slot's
 * confirmed position, nor the durable LSN, nor the heartbeat advance, and flush on demand fails; once S3 is back,
 * everything committed during the outage becomes durable and replays exactly.
 */
@DedicatedS3Server
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class S3OutageIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void outageStopsProgressAndResumesWithoutLoss(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)");
        SidecarConfig config = fx.config("sc-outage", List.of("public.t"), 1, Map.of());
        try (Sidecar sidecar = fx.start(config); Connection c = db.connect()) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            db.execute("INSERT INTO t SELECT g, 0 FROM generate_series(1, 100) g");
            Lsn beforeOutage = sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow().lsn();
            Instant lastHeartbeat = fx.catalog(fx.store()).readHeartbeat("sc-outage").orElseThrow().writtenAt();

            s3.server().stop();
            db.execute("INSERT INTO t SELECT g, 1 FROM generate_series(101, 300) g",
                    "UPDATE t SET v = v + 10 WHERE id % 3 = 0",
                    "DELETE FROM t WHERE id % 7 = 0");
            Lsn duringOutage = SidecarFixture.currentLsn(c);
            Map<List<Object>, Integer> expected = fx.contents(c, "public.t");
            assertTrue(sidecar.flush(List.of(fx.table("public.t")), Duration.ofSeconds(5)).isEmpty(),
                    "flush on demand must fail while S3 is down");
            Thread.sleep(3000); // several heartbeat rounds and flush attempts
            assertTrue(sidecar.durableLsn().compareTo(duringOutage) < 0, "durable LSN did not pass the outage");
            assertTrue(confirmedFlushLsn(c, config.slotName()).compareTo(duringOutage) < 0,
                    "the slot was not advanced past what is durable");
            assertTrue(HeartbeatAndMetricsIT.value(scrape(sidecar), "backstop_sidecar_s3_errors_total", "")
                    .orElseThrow() > 0);
            assertTrue(fx.alerts.stream().anyMatch(a -> a.startsWith("s3_failure")), fx.alerts.toString());
            assertTrue(sidecar.isCapturing());

            s3.server().start();
            Sidecar.FlushResult r = sidecar.flush(List.of(), Duration.ofSeconds(120)).orElseThrow();
            assertTrue(r.lsn().compareTo(duringOutage) >= 0);
            assertTrue(r.lsn().compareTo(beforeOutage) > 0);
            try (ObjectStore store = fx.store()) {
                Manifest m = r.manifests().get(fx.table("public.t")).manifest();
                assertTrue(fx.catalog(store).verifyFilesPresent(m).ok());
                SidecarFixture.assertSameRows("t after the outage", expected, fx.replay(store, m, duringOutage));
                Heartbeat hb = fx.catalog(store).readHeartbeat("sc-outage").orElseThrow();
                assertTrue(hb.writtenAt().isAfter(lastHeartbeat), "heartbeat advances again");
                assertTrue(hb.durableLsn().compareTo(duringOutage) >= 0);
            }
        }
    }

    private static Lsn confirmedFlushLsn(Connection c, String slot) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return Lsn.parse(rs.getString(1));
            }
        }
    }

    private static String scrape(Sidecar sidecar) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + sidecar.httpPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }
}
