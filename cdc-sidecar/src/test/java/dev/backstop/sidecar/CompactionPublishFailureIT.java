package dev.backstop.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.RecoveryPointRef;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.MutableClock;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compaction whose recovery point cannot be published leaves the table's state as it was: its new base parts are
 * listed by no manifest, so the retention sweep that runs right after deletes them, and a later recovery point that
 * listed them (the state had moved to them) would name files that are gone. Reproduced by failing exactly the
 * compaction's manifest write while a sweep is due.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class CompactionPublishFailureIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void aFailedCompactionPublishLeavesEveryLaterRecoveryPointWhole(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE c (id int PRIMARY KEY, v int)", "INSERT INTO c SELECT g, g FROM generate_series(1, 100) g");
        SidecarConfig base = fx.config("sc-cpf", List.of("public.c"), 3600, Map.of());
        // Compaction after 3 deltas; retention 1 h, a sweep at most every 30 min (none before the clock moves).
        SidecarConfig config = new SidecarConfig(base.jdbcUrl(), base.replicationUser(), base.replicationPassword(),
                base.s3(), base.sidecarId(), base.httpPort(), base.httpToken(), base.slotName(),
                base.publicationName(), base.tablePatterns(), base.stateDir(), 3600, 3600, 1, base.recoveryGroups(),
                base.maxBufferedChanges(), base.partBytes(), 3, 1_000_000, 30);
        MutableClock clock = MutableClock.running();
        // Once armed, the first manifest write after a base part's upload fails (and disarms it).
        AtomicBoolean failManifestAfterBasePart = new AtomicBoolean();
        AtomicBoolean basePartSeen = new AtomicBoolean();
        FaultInjectingStore store = new FaultInjectingStore(fx.store(), (operation, key) -> {
            if (!failManifestAfterBasePart.get()) {
                return false;
            }
            if (key.contains("/base/")) {
                basePartSeen.set(true);
            } else if (key.contains("/manifests/") && basePartSeen.get()) {
                failManifestAfterBasePart.set(false);
                return true;
            }
            return false;
        });
        try (Sidecar sidecar = fx.start(config, clock, store); ObjectStore plain = fx.store(); Connection c = db.connect()) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            for (int round = 1; round <= 2; round++) {
                db.execute("UPDATE c SET v = v + 1 WHERE id % 3 = " + round);
                sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow();
            }
            // Round 3: its delta is published; the compaction it triggers uploads a new base, whose manifest write
            // fails; the sweep, due now, runs in the same maintenance pass.
            clock.advance(Duration.ofHours(2));
            failManifestAfterBasePart.set(true);
            db.execute("DELETE FROM c WHERE id <= 10");
            sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow();
            await(() -> sidecar.metrics().retentionSweeps.get(), 1);
            assertEquals(1, store.failures(), "exactly the compaction's manifest write failed");
            assertEquals(0.0, sidecar.metrics().compactions.get());

            // Round 4: a recovery point is published (and the compaction succeeds this time).
            db.execute("INSERT INTO c VALUES (1000, 1000)");
            Lsn last = sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow().lsn();
            RecoveryPointCatalog cat = fx.catalog(plain);
            assertEveryRecoveryPointWhole(cat, fx);
            await(() -> sidecar.metrics().compactions.get(), 1);
            assertTrue(cat.listRecoveryPoints(fx.table("public.c")).size() >= 2, "round 4's and the compaction's");
            assertEveryRecoveryPointWhole(cat, fx);
            Manifest latest = cat.latestManifest(fx.table("public.c")).value().manifest();
            SidecarFixture.assertSameRows("c latest", fx.contents(c, "public.c"), fx.replay(plain, latest, last));
        }
    }

    private static void assertEveryRecoveryPointWhole(RecoveryPointCatalog cat, SidecarFixture fx) {
        for (RecoveryPointRef ref : cat.listRecoveryPoints(fx.table("public.c"))) {
            Result<VerifiedManifest> vm = cat.readManifest(ref.manifestKey());
            assertTrue(vm.ok(), ref.manifestKey() + ": " + vm.problems());
            dev.backstop.snapshot.Verification present = cat.verifyFilesPresent(vm.value().manifest());
            assertTrue(present.ok(), ref.manifestKey() + " names files that are gone: " + present.problems());
        }
    }

    private static void await(DoubleSupplier counter, double atLeast) throws InterruptedException {
        for (int i = 0; i < 600 && counter.getAsDouble() < atLeast; i++) {
            Thread.sleep(50); // maintenance runs on the CDC thread right after a flush
        }
        assertEquals(atLeast, counter.getAsDouble());
    }
}
