package dev.backstop.sidecar;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.RecoveryPointRef;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.store.ObjectStore;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dropped or renamed table raises an alert naming its latest recovery point, which stays restorable with every
 * change made before the drop; an added or dropped column starts a new base while older recovery points stay valid.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class TableLifecycleIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void dropRenameAndColumnChanges(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE dropme (id int PRIMARY KEY, v text)", "INSERT INTO dropme VALUES (1, 'a')",
                "CREATE TABLE renameme (id int PRIMARY KEY, v text)", "INSERT INTO renameme VALUES (1, 'r')",
                "CREATE TABLE evolve (id int PRIMARY KEY, y text)", "INSERT INTO evolve VALUES (1, 'y1'), (2, 'y2')");
        try (Sidecar sidecar = fx.start(fx.config("sc-life", List.of("public.*"), 1, Map.of()));
             ObjectStore store = fx.store(); Connection c = db.connect()) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            RecoveryPointCatalog cat = fx.catalog(store);

            // Drop: the changes just before the drop are in the recovery point the alert names.
            db.execute("INSERT INTO dropme VALUES (2, 'b')", "UPDATE dropme SET v = 'A' WHERE id = 1");
            Map<List<Object>, Integer> beforeDrop = fx.contents(c, "public.dropme");
            Lsn dropLsn = SidecarFixture.currentLsn(c);
            db.execute("DROP TABLE dropme", "ALTER TABLE renameme RENAME TO renamed");
            String dropAlert = awaitAlert(fx, "table_dropped public.dropme");
            String renameAlert = awaitAlert(fx, "table_dropped public.renameme");
            String rp = dropAlert.replaceAll(".*latest recovery point is (\\S+) .*", "$1");
            VerifiedManifest named = cat.readManifest(rp).value();
            assertTrue(cat.verifyFull(named.manifest(), dir).ok());
            SidecarFixture.assertSameRows("dropme as dropped", beforeDrop, fx.replay(store, named.manifest(), dropLsn));
            assertEquals(cat.readLatest(fx.table("public.dropme")).orElseThrow().manifestKey(), rp);
            assertTrue(renameAlert.contains(cat.readLatest(fx.table("public.renameme")).orElseThrow().manifestKey()));

            // A table created again under the dropped one's name is taken on with a new base; the old recovery
            // point the alert named stays readable.
            db.execute("CREATE TABLE dropme (id int PRIMARY KEY, v text)", "INSERT INTO dropme VALUES (7, 'new')");
            for (int i = 0; i < 600 && cat.readLatest(fx.table("public.dropme")).orElseThrow().manifestKey().equals(rp);
                 i++) {
                Thread.sleep(50); // until the new table's base is published
            }
            db.execute("INSERT INTO dropme VALUES (8, 'newer')");
            Lsn again = sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow().lsn();
            Manifest reborn = cat.latestManifest(fx.table("public.dropme")).value().manifest();
            assertNotEquals(named.manifest().baseSnapshotId(), reborn.baseSnapshotId(), "a new base");
            SidecarFixture.assertSameRows("dropme created again", fx.contents(c, "public.dropme"),
                    fx.replay(store, reborn, again));
            assertTrue(cat.readManifest(rp).ok(), "the dropped table's recovery point is kept");

            // Add a column (no change follows: the catalog check finds it), then drop one (a change follows).
            Manifest first = cat.latestManifest(fx.table("public.evolve")).value().manifest();
            Lsn beforeAlter = SidecarFixture.currentLsn(c);
            Map<List<Object>, Integer> oldShape = fx.contents(c, "public.evolve");
            db.execute("ALTER TABLE evolve ADD COLUMN z int DEFAULT 5");
            Manifest added = awaitColumns(cat, fx, List.of("id", "y", "z"));
            assertNotEquals(first.baseSnapshotId(), added.baseSnapshotId(), "a new base");
            db.execute("INSERT INTO evolve VALUES (3, 'y3', 6)", "ALTER TABLE evolve DROP COLUMN y",
                    "UPDATE evolve SET z = 7 WHERE id = 1");
            sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow();
            Manifest dropped = awaitColumns(cat, fx, List.of("id", "z"));
            sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow();
            dropped = cat.latestManifest(fx.table("public.evolve")).value().manifest();
            SidecarFixture.assertSameRows("evolve now", fx.contents(c, "public.evolve"),
                    fx.replay(store, dropped, dropped.coveredLsn()));
            // The recovery points of the old shape stay restorable.
            SidecarFixture.assertSameRows("evolve before ALTER", oldShape, fx.replay(store, first, first.coveredLsn()));
            assertTrue(first.coveredLsn().compareTo(beforeAlter) <= 0);
            for (RecoveryPointRef ref : cat.listRecoveryPoints(fx.table("public.evolve"))) {
                assertTrue(cat.verifyFilesPresent(cat.readManifest(ref.manifestKey()).value().manifest()).ok());
            }
        }
    }

    @Test
    @Timeout(300)
    void tableReplacedUnderTheSameName(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE replaced (id int PRIMARY KEY, v text)", "INSERT INTO replaced VALUES (1, 'old')");
        SidecarConfig config = fx.config("sc-replace", List.of("public.replaced"), 1, Map.of());
        String oldBase;
        try (Sidecar sidecar = fx.start(config); ObjectStore store = fx.store()) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            oldBase = fx.catalog(store).latestManifest(fx.table("public.replaced")).value().manifest().baseSnapshotId();
            // Dropped and created again between two checks: same name, same columns, another relation.
            db.execute("DROP TABLE replaced; CREATE TABLE replaced (id int PRIMARY KEY, v text);"
                    + " INSERT INTO replaced VALUES (2, 'new')");
            String alert = awaitAlert(fx, "table_dropped public.replaced");
            assertTrue(alert.contains("latest recovery point is " + SidecarFixture.PREFIX + "/tables/"), alert);
        }
        // Restarted: the new relation is not resumed from the old one's recovery points.
        db.execute("INSERT INTO replaced VALUES (3, 'while down')");
        try (Sidecar sidecar = fx.start(config); ObjectStore store = fx.store(); Connection c = db.connect()) {
            Manifest m = sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow().manifests()
                    .get(fx.table("public.replaced")).manifest();
            assertNotEquals(oldBase, m.baseSnapshotId(), "a new base of the new table");
            SidecarFixture.assertSameRows("the new table", fx.contents(c, "public.replaced"),
                    fx.replay(store, m, m.coveredLsn()));
        }
    }

    @Test
    @Timeout(180)
    void aMatchingTableCreatedAfterStartUpIsTakenOnWithoutARestart(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE early (id int PRIMARY KEY, v text)", "INSERT INTO early VALUES (1, 'a')");
        try (Sidecar sidecar = fx.start(fx.config("sc-late", List.of("public.early", "public.late*"), 1, Map.of()));
             ObjectStore store = fx.store(); Connection c = db.connect()) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            assertEquals(0.0, sidecar.metrics().untrackedTables.get());
            // Rows written before, while and after the table is taken on are all in its recovery points.
            db.execute("CREATE TABLE latecomer (id int PRIMARY KEY, v text)", "CREATE TABLE other (id int)",
                    "CREATE TABLE latecomer__recovered_20261126_120000 (id int)",
                    "CREATE UNLOGGED TABLE late_unlogged (id int)",
                    "INSERT INTO latecomer SELECT g, 'before' FROM generate_series(1, 100) g");
            for (int i = 0; i < 600 && !sidecar.trackedTables().contains(fx.table("public.latecomer")); i++) {
                db.execute("UPDATE early SET v = v || '.' WHERE id = 1",
                        "INSERT INTO latecomer VALUES (" + (1000 + i) + ", 'while')");
                Thread.sleep(50);
            }
            assertTrue(sidecar.trackedTables().contains(fx.table("public.latecomer")), "taken on");
            assertFalse(sidecar.trackedTables().contains(fx.table("public.other")), "does not match");
            assertFalse(sidecar.trackedTables().contains(fx.table("public.latecomer__recovered_20261126_120000")),
                    "a restore's scratch table is never tracked");
            assertFalse(sidecar.trackedTables().contains(fx.table("public.late_unlogged")), "cannot be published");
            db.execute("UPDATE latecomer SET v = 'after' WHERE id <= 10", "DELETE FROM latecomer WHERE id = 11",
                    "UPDATE early SET v = 'b' WHERE id = 1");
            Lsn lsn = sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow().lsn();
            RecoveryPointCatalog cat = fx.catalog(store);
            for (String table : List.of("public.latecomer", "public.early")) {
                Manifest m = cat.latestManifest(fx.table(table)).value().manifest();
                SidecarFixture.assertSameRows(table, fx.contents(c, table), fx.replay(store, m, lsn));
            }
            for (int i = 0; i < 200 && sidecar.metrics().untrackedTables.get() != 0.0; i++) {
                Thread.sleep(50); // the gauge is set by the next table check
            }
            assertEquals(0.0, sidecar.metrics().untrackedTables.get());
            assertTrue(fx.alerts.stream().noneMatch(a -> a.contains("CDC engine stopped")), "a planned restart: "
                    + fx.alerts);

            // A table whose base cannot be stored is alerted once and does not stop CDC for the others.
            db.execute("CREATE TABLE latebad (id int PRIMARY KEY, ts timestamptz)",
                    "INSERT INTO latebad VALUES (1, 'infinity')");
            String alert = awaitAlert(fx, "snapshot_failure public.latebad");
            assertTrue(alert.contains("could not be taken on"), alert);
            db.execute("UPDATE early SET v = 'c' WHERE id = 1");
            Lsn later = sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow().lsn();
            Manifest early = cat.latestManifest(fx.table("public.early")).value().manifest();
            SidecarFixture.assertSameRows("early", fx.contents(c, "public.early"), fx.replay(store, early, later));
            assertEquals(1.0, sidecar.metrics().untrackedTables.get(), "set before the alert");
            assertEquals(1, fx.alerts.stream().filter(a -> a.startsWith("snapshot_failure public.latebad")).count());
        }
    }

    private static String awaitAlert(SidecarFixture fx, String prefix) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            for (String a : fx.alerts) {
                if (a.startsWith(prefix)) {
                    return a;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no alert " + prefix + " in " + fx.alerts);
    }

    private static Manifest awaitColumns(RecoveryPointCatalog cat, SidecarFixture fx, List<String> columns)
            throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            Manifest m = cat.latestManifest(fx.table("public.evolve")).value().manifest();
            if (m.columns().stream().map(col -> col.name()).toList().equals(columns)) {
                return m;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no recovery point with columns " + columns);
    }
}
