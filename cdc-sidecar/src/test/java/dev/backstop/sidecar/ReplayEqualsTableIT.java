package dev.backstop.sidecar;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.Result;
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
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Done means 1: a randomized workload (inserts, updates, deletes, a TRUNCATE, large TOASTed values untouched by
 * updates, a table without primary key, interleaved transactions) runs while the sidecar captures; for several LSNs,
 * base + deltas replayed to that LSN equals the table's full contents at that LSN.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class ReplayEqualsTableIT {
    private static final List<String> TABLES = List.of("public.items", "public.logs");

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void replayToSeveralLsnsEqualsTheTable(PgDatabase db, S3Endpoint s3) throws Exception {
        long seed = Long.getLong("replay.seed", System.nanoTime());
        String ctx = "seed " + seed + " (rerun with -Dreplay.seed=" + seed + ")";
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE items (id int PRIMARY KEY, name text, big text, blob bytea, amount numeric(12,2))",
                // EXTERNAL: large values go out of line uncompressed, so updates of other columns leave them
                // unchanged-TOASTed in the WAL (the case the old row image must fill in).
                "ALTER TABLE items ALTER COLUMN big SET STORAGE EXTERNAL",
                "CREATE TABLE logs (msg text, n int)",
                "INSERT INTO items SELECT g, 'n' || g, NULL, NULL, g * 1.5 FROM generate_series(1, 50) g",
                "INSERT INTO logs VALUES ('dup', 1), ('dup', 1), ('x', 2)");
        Random rnd = new Random(seed);
        Map<Lsn, Map<String, Map<List<Object>, Integer>>> checkpoints = new LinkedHashMap<>();
        List<VerifiedManifest> flushed = new ArrayList<>();
        List<Lsn> flushedAt = new ArrayList<>();
        try (Sidecar sidecar = fx.start(fx.config("sc-replay", List.of("public.*"), 3600, Map.of()))) {
            try (Connection c = db.connect(); Connection other = db.connect()) {
                c.setAutoCommit(false);
                other.setAutoCommit(false);
                int nextId = 1000;
                for (int txn = 0; txn < 60; txn++) {
                    try (Statement s = c.createStatement()) {
                        for (int k = 0; k < 1 + rnd.nextInt(5); k++) {
                            randomStatement(s, rnd, nextId++);
                        }
                        if (txn == 25) {
                            s.execute("TRUNCATE logs");
                        }
                        if (txn % 10 == 3) {
                            // An interleaved transaction that commits first: replay must follow commit order.
                            try (Statement o = other.createStatement()) {
                                o.execute("INSERT INTO items VALUES (" + (100_000 + txn) + ", 'other', NULL, '\\x00ff', 2)");
                                // Only its own new row: rows c's open transaction touched are locked.
                                o.execute("UPDATE items SET name = 'by-other' WHERE id = " + (100_000 + txn));
                            }
                            other.commit();
                        }
                    }
                    c.commit();
                    if (txn % 9 == 8 || txn == 25) {
                        Lsn at = SidecarFixture.currentLsn(c);
                        Map<String, Map<List<Object>, Integer>> state = new LinkedHashMap<>();
                        for (String t : TABLES) {
                            state.put(t, fx.contents(c, t));
                        }
                        c.commit();
                        checkpoints.put(at, state);
                        if (txn % 2 == 0) {
                            // Some checkpoints are flushed: several delta files, and intermediate recovery points.
                            Sidecar.FlushResult r = sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow();
                            assertTrue(r.lsn().compareTo(at) >= 0, "flush covers the checkpoint");
                            flushed.add(r.manifests().get(fx.table("public.items")));
                            flushedAt.add(at);
                        }
                    }
                }
                // The workload really stored values out of line (else the unchanged-TOAST path went untested).
                Object toast = db.queryValue("SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = 'items'::regclass");
                assertTrue(((Number) db.queryValue("SELECT count(*) FROM " + toast)).longValue() > 0, "TOAST used");
            }
            sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow();
        }
        assertTrue(checkpoints.size() >= 6, "several distinct checkpoints");
        try (ObjectStore store = fx.store()) {
            RecoveryPointCatalog cat = fx.catalog(store);
            for (String table : TABLES) {
                Result<VerifiedManifest> latest = cat.latestManifest(fx.table(table));
                assertTrue(latest.ok(), latest.problems().toString());
                Manifest m = latest.value().manifest();
                assertTrue(cat.verifyFull(m, dir).ok(), "every file present with its checksum");
                assertTrue(m.deltaFiles().size() >= 3, "several delta files: " + m.deltaFiles().size());
                for (Map.Entry<Lsn, Map<String, Map<List<Object>, Integer>>> cp : checkpoints.entrySet()) {
                    SidecarFixture.assertSameRows(table + " at " + cp.getKey() + ", " + ctx,
                            cp.getValue().get(table), fx.replay(store, m, cp.getKey()));
                }
            }
            // The recovery points a flush returned replay to their own checkpoint too.
            for (int i = 0; i < flushed.size(); i++) {
                Lsn at = flushedAt.get(i);
                SidecarFixture.assertSameRows("flushed recovery point at " + at + ", " + ctx,
                        checkpoints.get(at).get("public.items"), fx.replay(store, flushed.get(i).manifest(), at));
            }
        }
        assertEquals(List.of(), fx.alerts);
    }

    private static void randomStatement(Statement s, Random rnd, int nextId) throws Exception {
        switch (rnd.nextInt(9)) {
            case 0, 1 -> s.execute("INSERT INTO items VALUES (" + nextId + ", 'new', NULL, NULL, 1.25)");
            case 2 -> s.execute("UPDATE items SET name = name || 'u' WHERE id % 7 = " + rnd.nextInt(7));
            case 3 -> s.execute("DELETE FROM items WHERE id % 13 = " + rnd.nextInt(13) + " AND id > " + rnd.nextInt(2000));
            // ~8 kB of incompressible text, stored out of line.
            case 4 -> s.execute("UPDATE items SET big = (SELECT string_agg(md5(random()::text), '') FROM"
                    + " generate_series(1, 250)), blob = decode(md5(random()::text), 'hex') WHERE id = "
                    + (1 + rnd.nextInt(50)));
            // Touches other columns only: the big value arrives as "unchanged TOAST".
            case 5 -> s.execute("UPDATE items SET amount = amount + 1 WHERE big IS NOT NULL");
            case 6 -> s.execute("INSERT INTO logs VALUES ('dup', 1), ('r', " + rnd.nextInt(3) + ")");
            case 7 -> s.execute("UPDATE logs SET n = n + 1 WHERE ctid = (SELECT ctid FROM logs LIMIT 1)");
            default -> s.execute("DELETE FROM logs WHERE ctid = (SELECT ctid FROM logs WHERE msg = 'dup' LIMIT 1)");
        }
    }
}
