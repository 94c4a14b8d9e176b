package dev.backstop.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.QuarantineMarker;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.TableRef;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator quarantines an idle table's latest recovery point: the sidecar's keep-alive points keep re-listing
 * the same files (so they are quarantined too), until the retention sweep takes a fresh base from PostgreSQL.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class QuarantineRebaseIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void aQuarantinedChainIsReplacedByAFreshBaseAtTheNextSweep(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE q1 (id int PRIMARY KEY, v int)", "INSERT INTO q1 SELECT g, g FROM generate_series(1, 50) g");
        SidecarConfig base = fx.config("sc-quar", List.of("public.q1"), 3600, Map.of());
        SidecarConfig config = new SidecarConfig(base.jdbcUrl(), base.replicationUser(), base.replicationPassword(),
                base.s3(), base.sidecarId(), base.httpPort(), base.httpToken(), base.slotName(),
                base.publicationName(), base.tablePatterns(), base.stateDir(), 3600, 3600, 168, base.recoveryGroups(),
                base.maxBufferedChanges(), base.partBytes(), 100, 1_000_000, 30);
        MutableClock clock = MutableClock.running();
        try (Sidecar sidecar = fx.start(config, clock); ObjectStore store = fx.store(); Connection c = db.connect()) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            RecoveryPointCatalog cat = fx.catalog(store);
            TableRef t = fx.table("public.q1");
            Manifest first = cat.latestManifest(t).value().manifest();
            cat.putQuarantine(new QuarantineMarker(1, t, first.recoveryPointId(), "suspect", "op", clock.instant()));

            // A flush on demand re-lists the same files under a new id: quarantined by its files.
            sidecar.flush(List.of(t), Duration.ofSeconds(60)).orElseThrow();
            Manifest keepAlive = cat.latestManifest(t).value().manifest();
            assertNotEquals(first.recoveryPointId(), keepAlive.recoveryPointId());
            assertEquals(first.baseSnapshotId(), keepAlive.baseSnapshotId());
            assertTrue(cat.quarantinedData(t, keepAlive).isPresent());

            // The next sweep (30 min) takes a fresh base: a point no quarantine reaches, equal to the table.
            // (A flush on demand returns before its maintenance pass: wait for the pass.)
            clock.advance(Duration.ofMinutes(31));
            Manifest fresh = keepAlive;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (fresh.baseSnapshotId().equals(first.baseSnapshotId()) && System.nanoTime() < deadline) {
                sidecar.flush(List.of(t), Duration.ofSeconds(60)).orElseThrow();
                Thread.sleep(200);
                fresh = cat.latestManifest(t).value().manifest();
            }
            assertNotEquals(first.baseSnapshotId(), fresh.baseSnapshotId());
            assertTrue(cat.quarantinedData(t, fresh).isEmpty(), "no quarantined file in the new chain");
            SidecarFixture.assertSameRows("q1", fx.contents(c, "public.q1"), fx.replay(store, fresh, fresh.coveredLsn()));
        }
    }
}
