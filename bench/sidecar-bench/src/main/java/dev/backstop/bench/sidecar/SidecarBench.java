package dev.backstop.bench.sidecar;

import dev.backstop.sidecar.Sidecar;
import dev.backstop.sidecar.SidecarConfig;
import dev.backstop.sidecar.pg.BaseCopier;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.RecoveryPointPublisher;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.store.S3ObjectStore;
import dev.backstop.snapshot.store.S3Settings;
import dev.backstop.testsupport.EmbeddedPgServer;
import dev.backstop.testsupport.EmbeddedS3Server;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures, in one run on one machine: (1) a base snapshot of a mixed-type table against pg_dump -Fc and -Fp of the
 * same table, (2) the change rate the sidecar keeps up with, (3) commit-to-durable latency under a steady update load.
 * Usage: SidecarBench [rows] [loadSeconds] [base-only]. Prints a Markdown summary at the end. Each timed copy runs
 * twice (three times with base-only) and the fastest counts. The base is timed on one connection and with two
 * block ranges on two connections.
 */
public final class SidecarBench {
    private static final String TABLE = "bench_mixed";

    private SidecarBench() {
    }

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int loadSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        boolean baseOnly = args.length > 2 && args[2].equals("base-only");
        int repeats = baseOnly ? 3 : 2;
        Path work = Files.createTempDirectory("sidecar-bench");
        List<String> report = new ArrayList<>();
        try (EmbeddedPgServer pg = EmbeddedPgServer.launch(); EmbeddedS3Server s3 = EmbeddedS3Server.launch()) {
            PgDatabase db = pg.createDatabase("bench");
            S3Endpoint bucket = s3.createBucket("bench");
            long t0 = System.nanoTime();
            db.execute("CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, qty int NOT NULL, price numeric(12,2) NOT NULL,"
                            + " name text NOT NULL, note varchar(64), created timestamptz NOT NULL, active bool NOT NULL,"
                            + " ref uuid NOT NULL, score double precision, attrs jsonb)",
                    "INSERT INTO " + TABLE + " SELECT g, g % 1000, (g % 100000) / 100.0, 'name-' || g, md5(g::text),"
                            + " now() - (g || ' seconds')::interval, g % 2 = 0, md5(g::text)::uuid, g / 7.0,"
                            + " jsonb_build_object('k', g % 10, 's', 'v' || (g % 100)) FROM generate_series(1, " + rows
                            + ") g",
                    "VACUUM ANALYZE " + TABLE, "CHECKPOINT");
            System.out.printf("loaded %,d rows in %.1f s%n", rows, secs(t0));
            report.add("PostgreSQL " + db.queryValue("SHOW server_version") + " (embedded, fsync off), "
                    + Runtime.getRuntime().availableProcessors() + " cores; table: " + rows
                    + " rows of bigint, int, numeric(12,2), text, varchar, timestamptz, bool, uuid, float8, jsonb; "
                    + "s3proxy in the same JVM");

            double fc = best(repeats, () -> pgDump(pg, db, "-Fc", work.resolve("t.dump")));
            double fp = best(repeats, () -> pgDump(pg, db, "-Fp", work.resolve("t.sql")));
            S3Settings s3s = new S3Settings(bucket.endpoint().toString(), bucket.region(), bucket.bucket(), "bench",
                    true, bucket.accessKey(), bucket.secretKey());
            try (S3ObjectStore store = S3ObjectStore.create(s3s)) {
                RecoveryPointPublisher publisher = new RecoveryPointPublisher(store, new SnapshotKeys("bench"),
                        Clock.systemUTC());
                // Warm-up (JIT) of both variants first, so the order of the timed runs does not favour the second.
                for (int parallelism : new int[]{1, 2}) {
                    new BaseCopier(db.jdbcUrl(), db.user(), password(db), publisher, work, 128L * 1024 * 1024,
                            Clock.systemUTC(), parallelism).copy(new TableRef("bench", "public", TABLE));
                }
                // One connection, then two block ranges on two connections (the default is marked), with the
                // default 128 MiB parts; then one connection with 16 MiB parts (several parts: upload overlap).
                long mib = 1024L * 1024;
                for (long[] v : new long[][]{{1, 128 * mib}, {2, 128 * mib}, {1, 16 * mib}}) {
                    int parallelism = (int) v[0];
                    BaseCopier copier = new BaseCopier(db.jdbcUrl(), db.user(), password(db), publisher, work,
                            v[1], Clock.systemUTC(), parallelism);
                    long[] baseBytes = new long[2];
                    double base = best(repeats, () -> {
                        long s = System.nanoTime();
                        BaseCopier.Base b = copier.copy(new TableRef("bench", "public", TABLE));
                        baseBytes[0] = b.files().stream().mapToLong(f -> f.bytes()).sum();
                        baseBytes[1] = b.files().size();
                        return secs(s);
                    });
                    report.add(String.format(Locale.ROOT, "| base snapshot, %d connection(s)%s, %d MiB parts (Parquet,"
                                    + " uploaded + read back + SHA-256) | %.2f s | %,.0f rows/s | %.2fx | %.2fx |"
                                    + " %,d bytes in %d part(s) |",
                            parallelism, parallelism == BaseCopier.defaultParallelism() ? " [default here]" : "",
                            v[1] / mib, base, rows / base, fc / base, fp / base, baseBytes[0], baseBytes[1]));
                }
            }
            report.add(String.format(Locale.ROOT, "| pg_dump -Fc -t | %.2f s | %,.0f rows/s | 1.00x | | %,d bytes |",
                    fc, rows / fc, Files.size(work.resolve("t.dump"))));
            report.add(String.format(Locale.ROOT, "| pg_dump -Fp -t | %.2f s | %,.0f rows/s | | 1.00x | %,d bytes |",
                    fp, rows / fp, Files.size(work.resolve("t.sql"))));

            if (baseOnly) {
                System.out.println("\n==== summary ====");
                report.forEach(System.out::println);
                return;
            }
            SidecarConfig cfg = new SidecarConfig(db.jdbcUrl(), db.user(), password(db), s3s, "bench", -1,
                    "bench-token-0123456789", "bench_slot", "bench_pub", List.of("public." + TABLE),
                    work.resolve("state"), 1, 5, 168, Map.of(), 500_000, 128L * 1024 * 1024, 100_000, 1_000_000, 60);
            try (Sidecar sidecar = Sidecar.start(cfg)) {
                sidecar.awaitInitialRecoveryPoints(Duration.ofMinutes(5));
                report.addAll(sustained(db, sidecar, loadSeconds, rows));
                report.addAll(latency(db, sidecar, loadSeconds, rows));
            }
        }
        System.out.println("\n==== summary ====");
        report.forEach(System.out::println);
    }

    /** As many changes as 2 writers commit (100-row updates); the time until all of them are durable. */
    private static List<String> sustained(PgDatabase db, Sidecar sidecar, int seconds, long rows) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong changes = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        long start = System.nanoTime();
        for (int w = 0; w < 2; w++) {
            int offset = w;
            Thread t = new Thread(() -> updateLoop(db, stop, changes, offset, rows, 0), "writer-" + w);
            t.start();
            writers.add(t);
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : writers) {
            t.join();
        }
        double loadSecs = secs(start);
        Lsn end = currentLsn(db);
        while (sidecar.durableLsn().compareTo(end) < 0) {
            Thread.sleep(10);
        }
        double total = secs(start);
        double offered = changes.get() / loadSecs;
        double kept = changes.get() / total;
        System.out.printf("sustained: %,d changes committed in %.1f s (%,.0f/s); durable after %.1f s (%,.0f/s)%n",
                changes.get(), loadSecs, offered, total, kept);
        return List.of(String.format(Locale.ROOT, "sustained: 2 writers committing 100-row UPDATE transactions as fast"
                        + " as they can for %.0f s: %,d changes (%,.0f changes/s offered); all durable in S3 %.1f s after the"
                        + " load started, i.e. the sidecar processed %,.0f changes/s end to end (flush interval 1 s)",
                loadSecs, changes.get(), offered, total, kept));
    }

    /** A steady load plus a probe transaction every 50 ms; latency from its commit until durableLsn passes it. */
    private static List<String> latency(PgDatabase db, Sidecar sidecar, int seconds, long rows) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong changes = new AtomicLong();
        Thread writer = new Thread(() -> updateLoop(db, stop, changes, 0, rows, 20), "steady");
        writer.start();
        ConcurrentLinkedQueue<long[]> probes = new ConcurrentLinkedQueue<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        Thread watcher = new Thread(() -> {
            while (!stop.get() || !probes.isEmpty()) {
                long[] p = probes.peek();
                if (p != null && sidecar.durableLsn().value() >= p[0]) {
                    latencies.add(System.nanoTime() - p[1]);
                    probes.poll();
                } else {
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "watcher");
        watcher.start();
        long start = System.nanoTime();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "UPDATE " + TABLE + " SET qty = qty + 1 WHERE id = ?")) {
            int i = 0;
            while (System.nanoTime() - start < seconds * 1_000_000_000L) {
                ps.setLong(1, 1 + (i++ % 1000));
                ps.executeUpdate(); // autocommit
                long committed = System.nanoTime();
                probes.add(new long[] {currentLsn(c).value(), committed});
                Thread.sleep(50);
            }
        }
        stop.set(true);
        writer.join();
        watcher.join();
        double rate = changes.get() / secs(start);
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double p50 = sorted.get(sorted.size() / 2) / 1e6;
        double p99 = sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1)) / 1e6;
        double max = sorted.get(sorted.size() - 1) / 1e6;
        System.out.printf("latency: %d probes under %,.0f changes/s: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                sorted.size(), rate, p50, p99, max);
        return List.of(String.format(Locale.ROOT, "commit-to-durable (delta file + manifest in S3), %d probe commits"
                        + " under a steady %,.0f changes/s (50 x 100-row UPDATE transactions/s), flush interval 1 s:"
                        + " p50 %.0f ms, p99 %.0f ms, max %.0f ms", sorted.size(), rate, p50, p99, max));
    }

    /** 100-row UPDATE transactions over a sliding id range; {@code perSecond} 0 = as fast as possible. */
    private static void updateLoop(PgDatabase db, AtomicBoolean stop, AtomicLong changes, int offset, long rows,
                                   int perSecond) {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "UPDATE " + TABLE + " SET qty = qty + 1, score = score + 0.5 WHERE id BETWEEN ? AND ?")) {
            long from = 1 + offset * (rows / 2);
            long next = System.nanoTime();
            while (!stop.get()) {
                ps.setLong(1, from);
                ps.setLong(2, from + 99);
                changes.addAndGet(ps.executeUpdate());
                from = from + 100 > rows - 100 ? 1 : from + 100;
                if (perSecond > 0) {
                    next += 1_000_000_000L / perSecond;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                    }
                }
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static double pgDump(EmbeddedPgServer pg, PgDatabase db, String format, Path out) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("pg_dump", "-h", db.host(), "-p", String.valueOf(db.port()), "-U",
                db.user(), "-d", db.name(), format, "-t", "public." + TABLE, "-f", out.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT);
        if (pg.superuserPassword() != null) {
            pb.environment().put("PGPASSWORD", pg.superuserPassword());
        }
        long s = System.nanoTime();
        int rc = pb.start().waitFor();
        double took = secs(s);
        if (rc != 0) {
            throw new IllegalStateException("pg_dump " + format + " failed with exit code " + rc);
        }
        return took;
    }

    private static Lsn currentLsn(PgDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            return currentLsn(c);
        }
    }

    private static Lsn currentLsn(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    private static String password(PgDatabase db) {
        return db.password() == null ? "" : db.password();
    }

    private static double secs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    @FunctionalInterface
    private interface Timed {
        double run() throws Exception;
    }

    /** Runs {@code times} times and keeps the fastest (the first run warms caches). */
    private static double best(int times, Timed t) throws Exception {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < times; i++) {
            best = Math.min(best, t.run());
        }
        return best;
    }
}
