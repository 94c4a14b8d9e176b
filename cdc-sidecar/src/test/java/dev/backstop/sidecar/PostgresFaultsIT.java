package dev.backstop.sidecar;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.testsupport.DedicatedPostgres;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL restarted under the sidecar: it reconnects and resumes without loss. The slot dropped while the sidecar
 * was down: loud alert, metric, and new bases, after which recovery points are complete again.
 */
@DedicatedPostgres
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class PostgresFaultsIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void restartAndLostSlot(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'before')");
        SidecarConfig config = fx.config("sc-pgfault", List.of("public.t"), 1, Map.of());
        String firstBase;
        try (Sidecar sidecar = fx.start(config); ObjectStore store = fx.store()) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            firstBase = fx.catalog(store).latestManifest(fx.table("public.t")).value().manifest().baseSnapshotId();
            db.execute("INSERT INTO t VALUES (2, 'before restart')");
            sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow();

            db.server().restart();
            db.execute("INSERT INTO t VALUES (3, 'after restart')", "UPDATE t SET v = 'changed' WHERE id = 1");
            Manifest m = sidecar.flush(List.of(), Duration.ofSeconds(120)).orElseThrow().manifests()
                    .get(fx.table("public.t")).manifest();
            try (Connection c = db.connect()) {
                SidecarFixture.assertSameRows("after a PostgreSQL restart", fx.contents(c, "public.t"),
                        fx.replay(store, m, m.coveredLsn()));
            }
            assertEquals(firstBase, m.baseSnapshotId(), "same base: nothing had to be re-copied");
        }
        assertEquals(List.of(), fx.alerts);

        // The slot disappears while the sidecar is down; changes made meanwhile are beyond recovery by CDC.
        // (Its walsender may outlive the closed connection for a moment under load: wait until it is inactive.)
        try (Connection c = db.connect(); java.sql.PreparedStatement active = c.prepareStatement(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            active.setString(1, config.slotName());
            for (int i = 0; i < 600; i++) {
                try (java.sql.ResultSet rs = active.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        break;
                    }
                }
                Thread.sleep(50);
            }
        }
        db.execute("SELECT pg_drop_replication_slot('" + config.slotName() + "')",
                "INSERT INTO t VALUES (4, 'while down')");
        try (Sidecar sidecar = fx.start(config); ObjectStore store = fx.store(); Connection c = db.connect()) {
            assertTrue(fx.alerts.stream().anyMatch(a -> a.startsWith("snapshot_failure") && a.contains("vanished")),
                    fx.alerts.toString());
            assertEquals(1.0, sidecar.metrics().slotLost.get());
            db.execute("INSERT INTO t VALUES (5, 'after new base')");
            Lsn now = SidecarFixture.currentLsn(c);
            Manifest m = sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow().manifests()
                    .get(fx.table("public.t")).manifest();
            assertNotEquals(firstBase, m.baseSnapshotId(), "a new base");
            SidecarFixture.assertSameRows("after the new base", fx.contents(c, "public.t"), fx.replay(store, m, now));
        }
    }
    @Test
    @Timeout(300)
    void aStartThatFoundItsSlotLostAndFailedHalfWayRebasesTheRestNextTime(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE la (id int PRIMARY KEY)", "CREATE TABLE lb (id int PRIMARY KEY)",
                "INSERT INTO la VALUES (1)", "INSERT INTO lb VALUES (1)");
        SidecarConfig config = fx.config("sc-halfway", List.of("public.la", "public.lb"), 1, Map.of());
        try (Sidecar sidecar = fx.start(config)) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
        }
        awaitSlotInactive(db, config.slotName());
        db.execute("SELECT pg_drop_replication_slot('" + config.slotName() + "')", "INSERT INTO lb VALUES (2)");
        // The start that finds the slot gone cannot upload lb's new base (S3 refuses it): it fails.
        ObjectStore refusingLb =
                new FaultInjectingStore(fx.store(), (operation, key) -> key.contains("/public.lb/base/"));
        try {
            Sidecar.start(config, refusingLb, java.time.Clock.systemUTC(), (type, severity, table, message) -> { }).close();
            throw new AssertionError("the start should have failed on lb's base");
        } catch (Exception expected) {
            // the slot was created again and the offsets deleted before lb's base failed
        }
        // The next start finds a slot and no offsets, yet lb's changes while the slot was gone are lost to CDC:
        // it must take a new base, not resume from lb's old recovery point.
        try (Sidecar sidecar = fx.start(config); ObjectStore store = fx.store(); Connection c = db.connect()) {
            Manifest m = sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow().manifests()
                    .get(fx.table("public.lb")).manifest();
            SidecarFixture.assertSameRows("lb", fx.contents(c, "public.lb"), fx.replay(store, m, m.coveredLsn()));
        }
    }

    private static void awaitSlotInactive(PgDatabase db, String slot) throws Exception {
        try (Connection c = db.connect(); java.sql.PreparedStatement active = c.prepareStatement(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            active.setString(1, slot);
            for (int i = 0; i < 600; i++) {
                try (java.sql.ResultSet rs = active.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }
    }
}
