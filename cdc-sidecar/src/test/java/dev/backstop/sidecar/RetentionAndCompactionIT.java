package dev.backstop.sidecar;

import dev.backstop.testsupport.MutableClock;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.RecoveryPointRef;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.VerifiedManifest;
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

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compaction makes a new base from base + deltas that replays identically; retention deletes recovery points older
 * than the window (but never a table's latest or what a kept group names) and exactly the files no kept manifest lists.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class RetentionAndCompactionIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void compactsAndSweepsOnlyWhatNoKeptRecoveryPointNeeds(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE g1 (id int PRIMARY KEY, v int)", "CREATE TABLE g2 (v int)",
                "INSERT INTO g1 SELECT g, g FROM generate_series(1, 100) g", "INSERT INTO g2 VALUES (1), (1)");
        SidecarConfig base = fx.config("sc-ret", List.of("public.g1", "public.g2"), 3600,
                Map.of("pair", List.of("public.g1", "public.g2")));
        // Retention 1 h, a sweep at most every 30 min: on the running clock no sweep can come before the test
        // advances the clock by 2 h, however slow the machine (a 1-minute interval once swept early under load).
        SidecarConfig config = new SidecarConfig(base.jdbcUrl(), base.replicationUser(), base.replicationPassword(),
                base.s3(), base.sidecarId(), base.httpPort(), base.httpToken(), base.slotName(),
                base.publicationName(), base.tablePatterns(), base.stateDir(), 3600, 3600, 1, base.recoveryGroups(),
                base.maxBufferedChanges(), base.partBytes(), 3, 1_000_000, 30);
        MutableClock clock = MutableClock.running();
        Map<Lsn, Map<List<Object>, Integer>> g1At = new LinkedHashMap<>();
        try (Sidecar sidecar = fx.start(config, clock); ObjectStore store = fx.store(); Connection c = db.connect()) {
            // The start-up heartbeat is flushed first, so each round below makes exactly one delta.
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            RecoveryPointCatalog cat = fx.catalog(store);
            Manifest original = cat.latestManifest(fx.table("public.g1")).value().manifest();
            for (int round = 1; round <= 4; round++) {
                db.execute("UPDATE g1 SET v = v + 1 WHERE id % 4 = " + (round % 4),
                        "DELETE FROM g1 WHERE id = " + round, "INSERT INTO g2 VALUES (" + round + ")");
                Lsn lsn = sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow().lsn();
                g1At.put(lsn, fx.contents(c, "public.g1"));
            }
            // After the third delta the flush compacted: a new base at the covered LSN, no deltas.
            Manifest latest = cat.latestManifest(fx.table("public.g1")).value().manifest();
            assertNotEquals(original.baseSnapshotId(), latest.baseSnapshotId());
            assertEquals(1, latest.deltaFiles().size(), "compacted after round 3, one delta since");
            Lsn last = List.copyOf(g1At.keySet()).get(3);
            SidecarFixture.assertSameRows("g1 latest", g1At.get(last), fx.replay(store, latest, last));
            // Older recovery points (original base + deltas) are still inside the window and still replay.
            for (RecoveryPointRef ref : cat.listRecoveryPoints(fx.table("public.g1"))) {
                Manifest m = cat.readManifest(ref.manifestKey()).value().manifest();
                assertTrue(cat.verifyFilesPresent(m).ok());
                if (g1At.containsKey(m.coveredLsn())) {
                    SidecarFixture.assertSameRows("g1 at " + m.coveredLsn(), g1At.get(m.coveredLsn()),
                            fx.replay(store, m, m.coveredLsn()));
                }
            }
            assertTrue(dataFiles(store, fx, "public.g1").containsAll(keys(original)), "nothing swept yet");

            // The change is durable before the clock moves. A flush on demand returns before that flush's
            // maintenance pass, so the first sweep after the clock moves may run in the pass of this flush (before
            // the recovery points the next flush publishes) or of the next one. A second sweep, due 31 minutes
            // later, starts from the same state in both cases: its result is the one checked.
            db.execute("UPDATE g1 SET v = 0 WHERE id = 50");
            sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow();
            Map<List<Object>, Integer> now = fx.contents(c, "public.g1");
            clock.advance(Duration.ofHours(2));
            sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow();
            awaitSweeps(sidecar, 1);
            clock.advance(Duration.ofMinutes(31));
            Lsn after = sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow().lsn();
            awaitSweeps(sidecar, 2);
            assertEquals(2.0, sidecar.metrics().compactions.get(), "g1 and g2 compacted once");

            for (String table : List.of("public.g1", "public.g2")) {
                List<RecoveryPointRef> left = cat.listRecoveryPoints(fx.table(table));
                Set<String> kept = new HashSet<>();
                for (RecoveryPointRef ref : left) {
                    Result<VerifiedManifest> vm = cat.readManifest(ref.manifestKey());
                    assertTrue(vm.ok());
                    assertTrue(cat.verifyFilesPresent(vm.value().manifest()).ok(), "kept " + ref.manifestKey());
                    kept.addAll(keys(vm.value().manifest()));
                    assertTrue(vm.value().manifest().createdAt().isAfter(clock.instant().minus(Duration.ofHours(1)))
                            || cat.readLatest(fx.table(table)).orElseThrow().manifestKey().equals(ref.manifestKey()),
                            "only recent or latest recovery points are kept");
                }
                assertEquals(kept, dataFiles(store, fx, table), table + ": exactly the referenced files remain");
            }
            assertFalse(dataFiles(store, fx, "public.g1").containsAll(keys(original)), "the old base was swept");
            // Left: the group recovery points of the two flushes after the clock moved (a flush on demand without
            // tables covers every table, so each made one); all before them were older than the window.
            List<String> groups = cat.listGroupRecoveryPointKeys("pair");
            assertEquals(2, groups.size(), "expired group recovery points swept: " + groups);
            for (String key : groups) {
                var group = cat.readGroup(key).value();
                assertTrue(group.createdAt().isAfter(clock.instant().minus(Duration.ofHours(1))), key);
                for (var member : group.members()) {
                    assertTrue(cat.readManifest(member.manifestKey()).ok(), "a kept group's manifests are kept");
                }
            }
            Manifest m = cat.latestManifest(fx.table("public.g1")).value().manifest();
            assertTrue(m.coveredLsn().compareTo(after) <= 0);
            SidecarFixture.assertSameRows("g1 after sweep", now, fx.replay(store, m, m.coveredLsn()));
        }
    }

    private static void awaitSweeps(Sidecar sidecar, int sweeps) throws InterruptedException {
        for (int i = 0; i < 600 && sidecar.metrics().retentionSweeps.get() < sweeps; i++) {
            Thread.sleep(50); // the sweep runs on the CDC thread right after a flush
        }
        assertEquals((double) sweeps, sidecar.metrics().retentionSweeps.get());
    }

    private static Set<String> keys(Manifest m) {
        Set<String> out = new HashSet<>();
        for (ManifestFile f : m.files()) {
            out.add(f.key());
        }
        return out;
    }

    private static Set<String> dataFiles(ObjectStore store, SidecarFixture fx, String table) {
        Set<String> out = new HashSet<>();
        for (ObjectMeta o : store.list(fx.catalog(store).keys().tableRoot(fx.table(table)))) {
            if (o.key().endsWith(".parquet")) {
                out.add(o.key());
            }
        }
        return out;
    }
}
