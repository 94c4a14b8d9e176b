package dev.backstop.sidecar;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The change buffer is bounded in bytes (sidecar.maxBufferedBytes, here the 4 MiB minimum): finished transactions
 * past half of it force a flush, and a single transaction past the other half is not held but covered by a new base,
 * with nothing lost either way.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class BufferBoundsIT {
    private static final long BUDGET = 4L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void boundsHeldChangesInBytesAndLosesNothing(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE docs (id int PRIMARY KEY, body text)",
                "INSERT INTO docs SELECT g, repeat('x', 100) FROM generate_series(1, 100) g");
        SidecarConfig base = fx.config("sc-buf", List.of("public.docs"), 3600, Map.of());
        // Flush interval and heartbeat every hour: only the buffer bound (or a flush call) can make a recovery point.
        SidecarConfig config = new SidecarConfig(base.jdbcUrl(), base.replicationUser(), base.replicationPassword(),
                base.s3(), base.sidecarId(), base.httpPort(), base.httpToken(), base.slotName(),
                base.publicationName(), base.tablePatterns(), base.stateDir(), 3600, 3600, 168, Map.of(),
                1_000_000, base.partBytes(), 100, 1_000_000, 10, "127.0.0.1", 1, BUDGET);
        try (Sidecar sidecar = fx.start(config); ObjectStore store = fx.store(); Connection c = db.connect()) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            RecoveryPointCatalog cat = fx.catalog(store);
            Manifest first = cat.latestManifest(fx.table("public.docs")).value().manifest();

            // 1. Small transactions adding up to more than half the budget (~3.8 MB of text): a flush comes by itself.
            for (int i = 0; i < 300; i++) {
                db.execute("INSERT INTO docs SELECT g, repeat(md5(g::text), 40) FROM generate_series("
                        + (1000 + i * 10) + ", " + (1009 + i * 10) + ") g");
            }
            Manifest forced = awaitNewRecoveryPoint(cat, fx, first);
            assertEquals(first.baseSnapshotId(), forced.baseSnapshotId(), "a delta on the same base");
            assertTrue(sidecar.metrics().bufferedBytes.get() <= BUDGET, "held " + sidecar.metrics().bufferedBytes.get());
            Lsn beforeBig = sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow().lsn();
            Map<List<Object>, Integer> beforeBigRows = fx.contents(c, "public.docs");
            Manifest atBeforeBig = cat.latestManifest(fx.table("public.docs")).value().manifest();
            SidecarFixture.assertSameRows("after the small transactions", beforeBigRows,
                    fx.replay(store, atBeforeBig, beforeBig));
            assertEquals(0.0, sidecar.metrics().oversizedTransactions.get());

            // 2. One transaction of ~6.7 MB of row images (3,000 rows, old and new): not held; the table takes a new base that contains it.
            Lsn justBeforeBig = SidecarFixture.currentLsn(c);
            db.execute("UPDATE docs SET body = repeat(md5(id::text || 'big'), 30) WHERE id >= 1000");
            sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow().lsn();
            assertEquals(1.0, sidecar.metrics().oversizedTransactions.get());
            Manifest rebased = cat.latestManifest(fx.table("public.docs")).value().manifest();
            assertNotEquals(first.baseSnapshotId(), rebased.baseSnapshotId(), "a new base after the big transaction");
            SidecarFixture.assertSameRows("new base", fx.contents(c, "public.docs"),
                    fx.replay(store, rebased, rebased.coveredLsn()));
            // The recovery points from before it still give the table as it was then, up to just before its commit
            // (what a restore "before this statement" needs).
            SidecarFixture.assertSameRows("before the big transaction", beforeBigRows,
                    fx.replay(store, atBeforeBig, beforeBig));
            Manifest upToIt = null;
            for (var ref : cat.listRecoveryPoints(fx.table("public.docs"))) {
                Manifest m = cat.readManifest(ref.manifestKey()).value().manifest();
                if (m.baseSnapshotId().equals(first.baseSnapshotId()) && m.coveredLsn().compareTo(justBeforeBig) >= 0) {
                    upToIt = m;
                }
            }
            assertNotNull(upToIt, "a recovery point on the old base reaches the big transaction's commit");
            SidecarFixture.assertSameRows("just before the big transaction", beforeBigRows,
                    fx.replay(store, upToIt, justBeforeBig));

            // 3. Changes after it are recorded as deltas on the new base again.
            db.execute("DELETE FROM docs WHERE id < 50", "UPDATE docs SET body = 'small' WHERE id = 60");
            Lsn end = sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow().lsn();
            Manifest last = cat.latestManifest(fx.table("public.docs")).value().manifest();
            assertEquals(rebased.baseSnapshotId(), last.baseSnapshotId());
            assertEquals(1, last.deltaFiles().size());
            SidecarFixture.assertSameRows("delta on the new base", fx.contents(c, "public.docs"),
                    fx.replay(store, last, end));
        }
    }

    private static Manifest awaitNewRecoveryPoint(RecoveryPointCatalog cat, SidecarFixture fx, Manifest previous)
            throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            Manifest m = cat.latestManifest(fx.table("public.docs")).value().manifest();
            if (!m.recoveryPointId().equals(previous.recoveryPointId())) {
                return m;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no recovery point without a flush call: the byte bound did not force one");
    }
}
