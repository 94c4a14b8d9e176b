package dev.backstop.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.snapshot.TableRef;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change the sidecar cannot store (here NaN in a numeric(10,2) column, which the decimal encoding cannot hold)
 * stops the table's recovery points. A flush must then refuse the table: answering with its last recovery point
 * would let the gateway run a DELETE that the restore could not undo up to just before it.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class UnrecordableChangeIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void aTableWhoseChangesCannotBeRecordedIsRefusedByFlush(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE prices (id int PRIMARY KEY, amount numeric(10,2))",
                "INSERT INTO prices VALUES (1, 1.00)", "CREATE TABLE fine (id int PRIMARY KEY)");
        try (Sidecar sidecar = fx.start(fx.config("sc-nan", List.of("public.*"), 10, Map.of()))) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            TableRef prices = fx.table("public.prices");
            TableRef fine = fx.table("public.fine");
            db.execute("INSERT INTO prices VALUES (2, 'NaN')", "INSERT INTO prices VALUES (3, 3.00)",
                    "INSERT INTO fine VALUES (1)");
            Sidecar.FlushResult r = sidecar.flush(List.of(prices, fine), Duration.ofSeconds(60)).orElseThrow();
            assertEquals(List.of(prices), List.copyOf(r.refused().keySet()), r.toString());
            assertTrue(r.refused().get(prices).contains("can no longer be recorded"), r.refused().toString());
            assertTrue(r.manifests().containsKey(fine), "other tables are still vouched for: " + r);
        }
        // After the cause is removed, a restart takes a new base: it does not resume from the last recovery point
        // over the changes that were never recorded (row 3).
        db.execute("DELETE FROM prices WHERE id = 2");
        try (Sidecar sidecar = fx.start(fx.config("sc-nan", List.of("public.*"), 10, Map.of()));
             dev.backstop.snapshot.store.ObjectStore store = fx.store(); java.sql.Connection c = db.connect()) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            TableRef prices = fx.table("public.prices");
            Sidecar.FlushResult r = sidecar.flush(List.of(prices), Duration.ofSeconds(60)).orElseThrow();
            assertEquals(Map.of(), r.refused(), r.toString());
            dev.backstop.snapshot.Manifest m = r.manifests().get(prices).manifest();
            SidecarFixture.assertSameRows("prices", fx.contents(c, "public.prices"), fx.replay(store, m, m.coveredLsn()));
        }
    }
    @Test
    @Timeout(300)
    void aColumnRetypedUnderTheSameNameIsNotRecordedWithItsOldEncoding(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE widened (id int PRIMARY KEY, n int)", "INSERT INTO widened VALUES (1, 1), (2, 2)");
        try (Sidecar sidecar = fx.start(fx.config("sc-retype", List.of("public.widened"), 10, Map.of()));
             dev.backstop.snapshot.store.ObjectStore store = fx.store(); java.sql.Connection c = db.connect()) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            TableRef t = fx.table("public.widened");
            // int4 -> int8, then a value only int8 holds (it would be truncated to 705032704 as int4).
            db.execute("ALTER TABLE widened ALTER COLUMN n TYPE bigint", "UPDATE widened SET n = 5000000000 WHERE id = 1");
            dev.backstop.snapshot.RecoveryPointCatalog cat = fx.catalog(store);
            dev.backstop.snapshot.Manifest m = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                sidecar.flush(List.of(t), Duration.ofSeconds(60));
                m = cat.latestManifest(t).value().manifest();
                if (m.columns().get(1).encoding() == dev.backstop.snapshot.ValueEncoding.INT64) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(dev.backstop.snapshot.ValueEncoding.INT64, m.columns().get(1).encoding(), m.toString());
            SidecarFixture.assertSameRows("widened", fx.contents(c, "public.widened"), fx.replay(store, m, m.coveredLsn()));
            for (dev.backstop.snapshot.RecoveryPointRef ref : cat.listRecoveryPoints(t)) {
                // No recovery point of the old column type holds the truncated value.
                dev.backstop.snapshot.Manifest old = cat.readManifest(ref.manifestKey()).value().manifest();
                if (old.columns().get(1).encoding() == dev.backstop.snapshot.ValueEncoding.INT32) {
                    Map<List<Object>, Integer> rows = fx.replay(store, old, old.coveredLsn());
                    assertTrue(rows.keySet().stream().noneMatch(r -> Long.valueOf(705032704L).equals(
                            ((Number) r.get(1)).longValue())), rows.toString());
                }
            }
        }
    }
    @Test
    @Timeout(300)
    void aTableReplacedUnderItsNameIsRefusedByFlushBeforeTheMonitorSeesIt(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE swapped (id int PRIMARY KEY)", "INSERT INTO swapped VALUES (1), (2)");
        // A long interval: the table monitor does not look again during the test.
        try (Sidecar sidecar = fx.start(fx.config("sc-swap", List.of("public.swapped"), 600, Map.of()))) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            TableRef t = fx.table("public.swapped");
            db.execute("ALTER TABLE swapped RENAME TO swapped_old",
                    "CREATE TABLE swapped (id int PRIMARY KEY)", "INSERT INTO swapped VALUES (7)");
            Sidecar.FlushResult r = sidecar.flush(List.of(t), Duration.ofSeconds(60)).orElseThrow();
            assertEquals(List.of(t), List.copyOf(r.refused().keySet()), r.toString());
            assertTrue(r.refused().get(t).contains("another table"), r.refused().toString());
            assertTrue(r.manifests().isEmpty(), r.toString());
        }
    }
    @Test
    @Timeout(300)
    void aTableLeftOutOfTheConfigurationForAWhileGetsANewBaseWhenItComesBack(PgDatabase db, S3Endpoint s3)
            throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE kept (id int PRIMARY KEY)", "CREATE TABLE leaves (id int PRIMARY KEY)",
                "INSERT INTO kept VALUES (1)", "INSERT INTO leaves VALUES (1)");
        try (Sidecar sidecar = fx.start(fx.config("sc-leave", List.of("public.kept", "public.leaves"), 10, Map.of()))) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
        }
        try (Sidecar sidecar = fx.start(fx.config("sc-leave", List.of("public.kept"), 10, Map.of()))) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            db.execute("INSERT INTO leaves VALUES (2)"); // not streamed: the table is not in the publication
            sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow();
        }
        try (Sidecar sidecar = fx.start(fx.config("sc-leave", List.of("public.kept", "public.leaves"), 10, Map.of()));
             dev.backstop.snapshot.store.ObjectStore store = fx.store(); java.sql.Connection c = db.connect()) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            TableRef leaves = fx.table("public.leaves");
            dev.backstop.snapshot.Manifest m = sidecar.flush(List.of(leaves), Duration.ofSeconds(60)).orElseThrow()
                    .manifests().get(leaves).manifest();
            SidecarFixture.assertSameRows("leaves", fx.contents(c, "public.leaves"), fx.replay(store, m, m.coveredLsn()));
        }
    }
}
