package dev.backstop.bench.restore;

import dev.backstop.sidecar.Sidecar;
import dev.backstop.sidecar.SidecarConfig;
import dev.backstop.snapshot.store.S3ObjectStore;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3Server;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Restores an N-row (default 1,000,000) mixed-type table with the restore tool (from recovery points the real sidecar
 * wrote into S3) and, in the same run on the same server, with {@code pg_restore} of a {@code pg_dump -Fc -t} of the
 * same table (single job and {@code -j 2}). Prints one line per measurement. Not a test: timings vary with the machine.
 *
 * <p>The restore tool runs as its own process ({@code java -XmxN ... RestoreCli}, like {@code pg_restore}), under
 * {@code /usr/bin/time} for its peak resident memory. The three restores run interleaved for several rounds (the build
 * machine is shared, so the load changes during a run) and the medians are compared.
 *
 * <p>Args: {@code [rows] [pg_bin_dir] [rounds] [restore_xmx] [restore_jobs]} (defaults 1000000,
 * /usr/lib/postgresql/15/bin, 3, 256m, 2).
 */
public final class RestoreBench {
    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String pgBin = args.length > 1 ? args[1] : "/usr/lib/postgresql/15/bin";
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String restoreXmx = args.length > 3 ? args[3] : "256m";
        int restoreJobs = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        Path dir = Files.createTempDirectory("restore-bench-");
        List<String> report = new ArrayList<>();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("wal_level", "logical").setServerConfig("max_replication_slots", "10")
                .setServerConfig("max_wal_senders", "10").setServerConfig("synchronous_commit", "on")
                .setServerConfig("shared_buffers", "512MB").setServerConfig("max_wal_size", "4GB").start();
             S3Server s3server = S3Server.startDedicated()) {
            S3Endpoint s3 = s3server.createBucket("bench");
            String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
                long t0 = System.nanoTime();
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE bench (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(12,2),"
                            + " qty integer, price double precision, paid boolean, created timestamptz, ship_day date,"
                            + " data bytea, tags text[], doc jsonb, uid uuid, note varchar(40))");
                    s.execute("INSERT INTO bench SELECT g, 'customer ' || (g % 5000), g * 1.25, g % 1000, g / 7.0,"
                            + " g % 2 = 0, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second',"
                            + " date '2026-01-01' + (g % 1000), decode(md5(g::text), 'hex'),"
                            + " ARRAY['a' || (g % 10), 'b'], jsonb_build_object('n', g, 'k', 'v' || (g % 100)),"
                            + " md5(g::text)::uuid, CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || g END"
                            + " FROM generate_series(1, " + rows + ") g");
                    // Settled now, untimed: otherwise autovacuum's first pass over the 1,000,000 inserted rows
                    // (hint bits, visibility map) lands inside one of the timed restores.
                    s.execute("VACUUM (FREEZE, ANALYZE) bench");
                }
                report.add(line("load source table (INSERT .. generate_series)", rows, t0));
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT pg_size_pretty(pg_total_relation_size('bench')), version()")) {
                    rs.next();
                    report.add("table size " + rs.getString(1) + "; " + rs.getString(2).split(",")[0]);
                }
            }
            Path config = dir.resolve("config.yml");
            Files.writeString(config, String.join("\n",
                    "database:", "  url: " + url, "  user: postgres", "  stateSchema: backstop",
                    "snapshots:", "  endpoint: " + s3.endpoint(), "  region: " + s3.region(), "  bucket: " + s3.bucket(),
                    "  prefix: bench", "  pathStyle: true", "  accessKeyId: " + s3.accessKey(),
                    "  secretAccessKey: " + s3.secretKey(),
                    "sidecar:", "  id: bench", "  httpPort: 0", "  httpToken: bench-token-0123456789",
                    "  replicationUser: postgres", "  replicationPassword: \"\"", "  slotName: bench_slot",
                    "  publicationName: bench_pub", "  stateDir: " + dir.resolve("sidecar"), "  flushIntervalSeconds: 3600",
                    "  heartbeatIntervalSeconds: 3600", "  tables: [ \"public.bench\" ]", "  recoveryGroups: {}", ""));
            long t1 = System.nanoTime();
            String lsn;
            try (Sidecar sidecar = Sidecar.start(SidecarConfig.load(config, k -> null),
                    new S3ObjectStore(s3.newClient(), s3.bucket()), Clock.systemUTC(),
                    (type, severity, table, message) -> System.err.println("ALERT " + type + " " + message))) {
                if (!sidecar.awaitInitialRecoveryPoints(Duration.ofMinutes(30))) {
                    throw new IllegalStateException("no initial recovery point");
                }
                report.add(line("sidecar base snapshot to S3 (for reference)", rows, t1));
                lsn = sidecar.flush(List.of(), Duration.ofMinutes(5)).orElseThrow().lsn().toString();
            }
            // The sidecar is stopped before the timed restores: its walsender would decode every row the restore tool
            // loads into this database (about 2 s of server CPU per 1,000,000 rows), but none of pg_restore's (other
            // databases are skipped), so both tools are timed without logical decoding running.

            Path dump = dir.resolve("bench.dump");
            long t3 = System.nanoTime();
            run(pgBin + "/pg_dump", "-Fc", "-t", "public.bench", "-h", "localhost", "-p", "" + pg.getPort(),
                    "-U", "postgres", "-f", dump.toString(), "postgres");
            report.add(line("pg_dump -Fc -t public.bench (for reference, " + Files.size(dump) / (1024 * 1024) + " MiB)",
                    rows, t3));

            String hold = System.getProperty("bench.hold", "");
            if (!hold.isEmpty()) {
                // Development aid: keep the server, S3 and the recovery point up and say how to reach them.
                Files.writeString(Path.of(hold), "CONFIG=" + config + "\nLSN=" + lsn + "\nPORT=" + pg.getPort()
                        + "\nDUMP=" + dump + "\n");
                System.out.println("holding; delete " + hold + " to stop");
                while (Files.exists(Path.of(hold))) {
                    Thread.sleep(500);
                }
                return;
            }
            // Interleaved rounds (the machine is shared: load varies); each tool restores into a fresh target.
            List<Double> backstop = new ArrayList<>();
            Map<Integer, List<Double>> pgRestore = new java.util.TreeMap<>();
            // CPU-seconds of each run, the client's and the server's (the postmaster's reaped children: every
            // backend, autovacuum and parallel worker that ended during the run): on a machine with few cores the
            // wall-time ratio follows the CPU each side needs.
            List<Double> backstopCpu = new ArrayList<>();
            Map<Integer, List<Double>> pgRestoreCpu = new java.util.TreeMap<>();
            long postmaster = postmasterPid(url);
            String debug = "-Dbackstop.restore.debug=" + Boolean.getBoolean("backstop.restore.debug");
            Path launcher = Path.of("backstop").toAbsolutePath();
            // By default the tool runs as operators run it: through ./backstop, with the launcher's JVM flags and
            // environment; -Dbench.restoreJvmArgs=".." runs java directly with those flags instead (A/B of flags).
            String jvmArgs = System.getProperty("bench.restoreJvmArgs");
            boolean viaLauncher = jvmArgs == null && Files.isExecutable(launcher);
            report.add("restore JVM: " + (viaLauncher ? launcher + " restore, BACKSTOP_JAVA_OPTS=-Xmx" + restoreXmx
                    : "java -Xmx" + restoreXmx + " " + (jvmArgs == null ? "" : jvmArgs) + " -cp " + restoreClasspath()));
            for (int round = 1; round <= rounds; round++) {
                report.add("--- round " + round + " (load average before: " + loadAverage() + ")");
                List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-f", "maxrss_kb=%M cpu_s=%U+%S"));
                if (viaLauncher) {
                    cmd.addAll(List.of(launcher.toString(), "restore"));
                } else {
                    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "-Xmx" + restoreXmx, debug));
                    if (jvmArgs != null && !jvmArgs.isBlank()) {
                        cmd.addAll(List.of(jvmArgs.trim().split("\\s+")));
                    }
                    cmd.addAll(List.of("-cp", restoreClasspath(), "dev.backstop.restore.RestoreCli"));
                }
                cmd.addAll(List.of("--config", config.toString(), "restore", "public.bench", "--lsn", lsn, "--into",
                        "bench_recovered_" + round, "--mode", "missing-rows", "--jobs", "" + restoreJobs));
                checkpoint(url);
                double server0 = serverCpuSeconds(postmaster);
                double s3Cpu0 = ownCpuSeconds();
                long t2 = System.nanoTime();
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
                if (viaLauncher) {
                    pb.environment().put("BACKSTOP_JAVA_OPTS", "-Xmx" + restoreXmx + " " + debug);
                }
                Process p = pb.start();
                String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                int code = p.waitFor();
                double restoreSeconds = (System.nanoTime() - t2) / 1e9;
                // This JVM only waits meanwhile, but its in-process S3 server serves the download on the same cores
                // (in production S3 is elsewhere): shown, not counted in either side's total.
                double s3Cpu = ownCpuSeconds() - s3Cpu0;
                double restoreServerCpu = serverCpuSeconds(postmaster) - server0;
                if (code != 0) {
                    throw new IllegalStateException("restore failed (" + code + "):\n" + output);
                }
                backstop.add(restoreSeconds);
                double toolCpu = timedCpu(output);
                backstopCpu.add(toolCpu + restoreServerCpu);
                report.add(line((viaLauncher ? "./backstop restore" : "backstop restore, java") + " -Xmx" + restoreXmx + ", --jobs " + restoreJobs
                        + " (download+SHA-256, replay, COPY, PK, validation, copyback counts)", rows, restoreSeconds));
                report.add(String.format(Locale.ROOT, "    cpu: tool %.2f s (user+sys), server %.2f s, total %.2f s;"
                        + " in-process S3 server (not counted) %.2f s", toolCpu, restoreServerCpu,
                        toolCpu + restoreServerCpu, s3Cpu));
                // Each timed restore's output is dropped before the next one starts: left in place, a 233 MB table
                // freshly inserted is picked up by autovacuum within a minute, inside whichever restore runs then.
                dropAfterRound(url, "DROP TABLE public.bench_recovered_" + round);
                output.lines().filter(l -> l.startsWith("Loaded:") || l.startsWith("Timing:")
                        || l.startsWith("  ok    load") || l.startsWith("  ok    fingerprint") || l.startsWith("maxrss_kb=")
                        || l.startsWith("[restore]")).forEach(l -> report.add("    " + l));
                for (int jobs : new int[] {1, 2}) {
                    String target = "restore_j" + jobs + "_r" + round;
                    try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
                        s.execute("CREATE DATABASE " + target);
                    }
                    checkpoint(url);
                    double s0 = serverCpuSeconds(postmaster);
                    long t4 = System.nanoTime();
                    String timed = runTimed("/usr/bin/time", "-f", "cpu_s=%U+%S", pgBin + "/pg_restore", "-j", "" + jobs,
                            "-h", "localhost", "-p", "" + pg.getPort(), "-U", "postgres", "-d", target, dump.toString());
                    double seconds = (System.nanoTime() - t4) / 1e9;
                    double serverCpu = serverCpuSeconds(postmaster) - s0;
                    pgRestore.computeIfAbsent(jobs, k -> new ArrayList<>()).add(seconds);
                    pgRestoreCpu.computeIfAbsent(jobs, k -> new ArrayList<>()).add(timedCpu(timed) + serverCpu);
                    dropAfterRound(url, "DROP DATABASE " + target);
                    report.add(line("pg_restore -j " + jobs + " (table data + primary key)", rows, seconds)
                            + String.format(Locale.ROOT, "  -> backstop restore is %.2fx", seconds / restoreSeconds));
                    report.add(String.format(Locale.ROOT, "    cpu: pg_restore %.2f s (user+sys), server %.2f s, total %.2f s",
                            timedCpu(timed), serverCpu, timedCpu(timed) + serverCpu));
                }
            }
            double b = median(backstop);
            report.add(String.format(Locale.ROOT, "=== medians over %d rounds: backstop restore %.2f s (%.0f rows/s),"
                    + " %.2f CPU-s", rounds, b, rows / b, median(backstopCpu)));
            for (Map.Entry<Integer, List<Double>> e : pgRestore.entrySet()) {
                double m = median(e.getValue());
                report.add(String.format(Locale.ROOT, "    pg_restore -j %d %.2f s (%.0f rows/s), %.2f CPU-s"
                        + " -> backstop restore is %.2fx", e.getKey(), m, rows / m, median(pgRestoreCpu.get(e.getKey())),
                        m / b));
            }
            report.add("load average after: " + loadAverage());
        } finally {
            System.out.println("=== restore benchmark, " + rows + " rows");
            report.forEach(System.out::println);
        }
    }

    /**
     * The launcher's class path of the restore tool ({@code restore-tool/target/...}, as {@code ./backstop restore}
     * runs it) when run from the repository root, else this benchmark's own class path.
     */
    private static String restoreClasspath() {
        Path jar = Path.of("restore-tool/target/backstop-restore-tool-0.1.0-SNAPSHOT.jar");
        if (Files.exists(jar) && Files.isDirectory(Path.of("restore-tool/target/lib"))) {
            return jar.toAbsolutePath() + File.pathSeparator + Path.of("restore-tool/target/lib").toAbsolutePath() + "/*";
        }
        return System.getProperty("java.class.path");
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        java.util.Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static String line(String what, int rows, long startNanos) {
        return line(what, rows, (System.nanoTime() - startNanos) / 1e9);
    }

    private static String line(String what, int rows, double seconds) {
        return String.format(Locale.ROOT, "%-70s %8.2f s  %10.0f rows/s", what, seconds, rows / seconds);
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue());
        }
    }

    static String classpathHint() {
        return File.pathSeparator;
    }

    /** Runs {@code cmd} (under /usr/bin/time) and returns its output; fails on a non-zero exit. */
    private static String runTimed(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    /** The {@code cpu_s=U+S} that /usr/bin/time printed, in seconds. */
    static double timedCpu(String output) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cpu_s=([0-9.]+)\\+([0-9.]+)").matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("no cpu_s= line from /usr/bin/time in:\n" + output);
        }
        return Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2));
    }

    /** The postmaster: the parent of a backend. */
    private static long postmasterPid(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return Long.parseLong(procStat(rs.getLong(1))[1]);
        }
    }

    /**
     * CPU-seconds of the postmaster's children that have ended (cutime + cstime), after a moment for the backends
     * of the run just finished to exit and be reaped.
     */
    private static double serverCpuSeconds(long postmaster) throws Exception {
        Thread.sleep(300);
        String[] f = procStat(postmaster);
        return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0; // USER_HZ
    }

    /** CPU seconds (user + system) of this JVM so far: its S3 server's work while a restore runs. */
    private static double ownCpuSeconds() throws Exception {
        String[] f = procStat(ProcessHandle.current().pid());
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in USER_HZ
    }

    /** /proc/PID/stat from the field after the command name: [0] state, [1] ppid, ... [13] cutime, [14] cstime. */
    private static String[] procStat(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    private static void dropAfterRound(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * Writes out what the previous restore left dirty, untimed, so each timed restore starts alike: otherwise the
     * ~250 MB of WAL per restore triggers a checkpoint inside whichever restore comes next.
     */
    private static void checkpoint(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        }
    }
}
