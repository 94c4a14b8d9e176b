package dev.backstop.sidecar;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.RecoveryPointRef;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.snapshot.store.S3ObjectStore;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Done means 4 (kill): the sidecar runs as its own process ({@code SidecarMain config.yml}) under a steady write load
 * with a 1 s flush interval and is killed with SIGKILL at random moments, several times; a restarted sidecar loses
 * nothing (replay equals the table at checkpoints taken throughout), and no manifest names a missing file.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class KillAndRestartIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(600)
    void killedMidWriteRestartsWithoutLoss(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v bigint NOT NULL, pad text)",
                "INSERT INTO t SELECT g, 0, repeat('p', 100) FROM generate_series(1, 500) g");
        Path config = writeConfig(db, s3);
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        Map<Lsn, Map<List<Object>, Integer>> checkpoints = new LinkedHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> loadFailure = new AtomicReference<>();
        Thread load = new Thread(() -> {
            try {
                runLoad(fx, stop, checkpoints, new Random(seed + 1));
            } catch (Throwable e) {
                loadFailure.set(e);
            }
        }, "load");
        load.start();
        try {
            for (int kill = 0; kill < 3; kill++) {
                Path log = dir.resolve("sidecar-" + kill + ".log");
                Process p = startSidecarProcess(config, log);
                awaitRunning(p, log);
                // Kill only once this process has published a recovery point of its own (a slow machine may
                // need longer than a fixed sleep), then at a random moment of the next flush cycles.
                awaitNewRecoveryPoint(fx, Duration.ofSeconds(120));
                Thread.sleep(rnd.nextInt(2000)); // mid-write: flushes run every second under the load
                p.destroyForcibly().waitFor();
            }
        } finally {
            stop.set(true);
            load.join();
        }
        assertNull(loadFailure.get());
        Lsn end;
        Map<List<Object>, Integer> finalRows;
        try (Connection c = db.connect()) {
            end = SidecarFixture.currentLsn(c);
            finalRows = fx.contents(c, "public.t");
        }
        SidecarConfig cfg = SidecarConfig.load(config, k -> null);
        Manifest latest;
        try (Sidecar sidecar = Sidecar.start(cfg, S3ObjectStore.create(cfg.s3()), Clock.systemUTC(),
                (type, severity, table, message) -> fx.alerts.add(type + " " + table + ": " + message))) {
            Sidecar.FlushResult r = sidecar.flush(List.of(), Duration.ofSeconds(120)).orElseThrow();
            latest = r.manifests().get(fx.table("public.t")).manifest();
        }
        String ctx = " (seed " + seed + ")";
        try (ObjectStore store = fx.store()) {
            RecoveryPointCatalog cat = fx.catalog(store);
            List<RecoveryPointRef> all = cat.listRecoveryPoints(fx.table("public.t"));
            assertTrue(all.size() >= 4, "recovery points were published while the processes ran: " + all.size());
            for (RecoveryPointRef ref : all) {
                Result<VerifiedManifest> vm = cat.readManifest(ref.manifestKey());
                assertTrue(vm.ok(), vm.problems().toString());
                assertTrue(cat.verifyFilesPresent(vm.value().manifest()).ok(), "files of " + ref.manifestKey());
            }
            assertEquals(1, latest.baseFiles().size(), "the first base was kept across restarts" + ctx);
            SidecarFixture.assertSameRows("final" + ctx, finalRows, fx.replay(store, latest, end));
            int compared = 0;
            for (Map.Entry<Lsn, Map<List<Object>, Integer>> cp : checkpoints.entrySet()) {
                if (cp.getKey().compareTo(latest.baseLsn()) >= 0) {
                    SidecarFixture.assertSameRows("at " + cp.getKey() + ctx, cp.getValue(),
                            fx.replay(store, latest, cp.getKey()));
                    compared++;
                }
            }
            assertTrue(compared >= 5, "checkpoints compared: " + compared);
        }
        assertEquals(List.of(), fx.alerts);
    }

    /** Updates, inserts and deletes in small transactions; a checkpoint (LSN + full contents) every 25. */
    private static void runLoad(SidecarFixture fx, AtomicBoolean stop, Map<Lsn, Map<List<Object>, Integer>> checkpoints,
                                Random rnd) throws Exception {
        try (Connection c = fx.db.connect()) {
            c.setAutoCommit(false);
            int nextId = 1000;
            for (int txn = 0; !stop.get(); txn++) {
                try (PreparedStatement up = c.prepareStatement("UPDATE t SET v = v + 1 WHERE id = ?");
                     PreparedStatement ins = c.prepareStatement("INSERT INTO t VALUES (?, ?, 'new')");
                     PreparedStatement del = c.prepareStatement("DELETE FROM t WHERE id = ?")) {
                    for (int k = 0; k < 5; k++) {
                        up.setInt(1, 1 + rnd.nextInt(500));
                        up.executeUpdate();
                    }
                    ins.setInt(1, nextId++);
                    ins.setLong(2, txn);
                    ins.executeUpdate();
                    del.setInt(1, 1000 + rnd.nextInt(Math.max(1, nextId - 1000)));
                    del.executeUpdate();
                }
                c.commit();
                if (txn % 25 == 24) {
                    Lsn at = SidecarFixture.currentLsn(c);
                    Map<List<Object>, Integer> rows = fx.contents(c, "public.t");
                    c.commit();
                    synchronized (checkpoints) {
                        checkpoints.put(at, rows);
                    }
                }
                Thread.sleep(5);
            }
        }
    }

    private Path writeConfig(PgDatabase db, S3Endpoint s3) throws Exception {
        Path f = dir.resolve("config.yml");
        Files.writeString(f, String.join("\n",
                "database:",
                "  url: " + db.jdbcUrl(),
                "snapshots:",
                "  endpoint: " + s3.endpoint(),
                "  region: " + s3.region(),
                "  bucket: " + s3.bucket(),
                "  prefix: " + SidecarFixture.PREFIX,
                "  pathStyle: true",
                "  accessKeyId: " + s3.accessKey(),
                "  secretAccessKey: " + s3.secretKey(),
                "sidecar:",
                "  id: sc-kill",
                "  httpPort: 0",
                "  httpToken: test-token-0123456789",
                "  replicationUser: " + db.user(),
                "  replicationPassword: \"" + (db.password() == null ? "" : db.password()) + "\"",
                "  slotName: sc_kill_slot",
                "  publicationName: sc_kill_pub",
                "  tables: [\"public.t\"]",
                "  stateDir: " + dir.resolve("state"),
                "  flushIntervalSeconds: 1",
                "  heartbeatIntervalSeconds: 1",
                // SidecarMain also runs the bypass detector, which needs the agent roles to watch.
                "  agentRoles: [\"kill_it_agent\"]",
                ""));
        return f;
    }

    /** Until the process printed that it runs (bases published, capture started), or fails the test. */
    private static void awaitRunning(Process p, Path log) throws Exception {
        for (int i = 0; i < 1200; i++) {
            if (Files.exists(log) && Files.readString(log).contains(" running; HTTP on port")) {
                return;
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        List<String> lines = Files.readAllLines(log);
        throw new AssertionError("the sidecar process did not start: "
                + lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }

    private static Process startSidecarProcess(Path config, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                SidecarMain.class.getName(), config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits until the table has more recovery points than when called. */
    private static void awaitNewRecoveryPoint(SidecarFixture fx, Duration timeout) throws Exception {
        try (ObjectStore store = fx.store()) {
            RecoveryPointCatalog cat = fx.catalog(store);
            int before = cat.listRecoveryPoints(fx.table("public.t")).size();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (cat.listRecoveryPoints(fx.table("public.t")).size() <= before) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the sidecar published no recovery point within " + timeout.toSeconds() + " s");
                }
                Thread.sleep(100);
            }
        }
    }
}
