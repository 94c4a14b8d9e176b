package dev.backstop.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gateway overhead: the same SAFE query mix sent through the gateway (HTTP, auth, classification,
 * policy, group-committed audit, read-only transaction, session reset) and directly over JDBC, at
 * 1, 8 and 32 concurrent clients, against one embedded PostgreSQL with fsync ON (durable audit).
 * The gateway runs in its own JVM (see {@link GatewayProcess}); the load clients (HTTP and JDBC)
 * run in this one. Each run also reports CPU time per request by process ({@link CpuMeter}).
 * <p>Usage: GatewayLoad [seconds-per-run=10] [warmup-seconds-per-run=3] [clients=1,8,32]
 * (-Dbench.globalWarmup=40 seconds of JIT warm-up first; -Dbench.fsync=off to take the disk out;
 * -Dbench.gateway=inprocess to run the gateway inside this JVM; -Dbench.gatewayJvmArgs=...;
 * -Dbench.poolSize=16 the gateway's target pool size, database.maxPoolSize; -Dbench.mix=write for single-row
 * UPDATEs by primary key, through the gateway's measured write path, instead of the SAFE read mix;
 * -Dbench.mix=lookup for the read mix without its aggregate)
 */
public final class GatewayLoad {
    private static final String TOKEN = "bench-agent-token";
    private static final int ROWS = 100_000;

    /** -Dbench.mix=write: single-row UPDATEs by primary key instead of the SAFE read mix. */
    private static final boolean WRITES = "write".equals(System.getProperty("bench.mix", "read"));
    /**
     * -Dbench.mix=lookup: the read mix without its aggregate (2/3 point lookups, 1/3 ten-row ranges), so
     * that the database's own work per query is small and the gateway's overhead is most of the cost.
     */
    private static final boolean LOOKUPS = "lookup".equals(System.getProperty("bench.mix", "read"));

    private static String query(ThreadLocalRandom rnd) {
        int k = rnd.nextInt(1, ROWS + 1);
        if (WRITES) {
            // MEDIUM (a WHERE-restricted write): executed at once, measured (row guard) before COMMIT.
            return "UPDATE products SET price = price + 0.01 WHERE id = " + k;
        }
        /* The SAFE mix: point lookups, a short range, an aggregate on an index. */
        return switch (rnd.nextInt(LOOKUPS ? 3 : 4)) {
            case 0, 1 -> "SELECT id, name, price, created_at FROM products WHERE id = " + k;
            case 2 -> "SELECT id, name FROM products WHERE id BETWEEN " + k + " AND " + (k + 9) + " ORDER BY id";
            default -> "SELECT count(*), max(price) FROM products WHERE category = " + (k % 50);
        };
    }

    interface Client {
        void run(String sql) throws Exception;
    }

    record Result(String mode, int clients, long ops, double seconds, long p50, long p99, CpuMeter.Sample cpu,
                  String load) {
        double qps() {
            return ops / seconds;
        }

        /** CPU microseconds per request spent by a process (or the machine). */
        double us(double cpuSeconds) {
            return cpuSeconds * 1e6 / ops;
        }
    }

    private static long pgPid;
    private static CpuMeter meter;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int[] clientCounts = args.length > 2 ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 8, 32};

        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("fsync", System.getProperty("bench.fsync", "on"))
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on").setServerConfig("max_connections", "200")
                .setServerConfig("shared_buffers", "256MB").start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE bench_gw LOGIN PASSWORD 'bench'");
            st.execute("CREATE DATABASE bench OWNER bench_gw");
        }
        String jdbcUrl = "jdbc:postgresql://localhost:" + pg.getPort() + "/bench";
        HikariDataSource direct = pool(jdbcUrl, 40);
        try (Connection c = direct.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE products (id int PRIMARY KEY, name text, category int, price numeric(10,2),"
                    + " created_at timestamptz)");
            st.execute("INSERT INTO products SELECT g, 'product ' || g, g % 50, (g % 1000) / 10.0,"
                    + " timestamptz '2024-01-01' + g * interval '1 minute' FROM generate_series(1, " + ROWS + ") g");
            st.execute("CREATE INDEX ON products (category)");
            st.execute("ANALYZE products");
            try (ResultSet rs = st.executeQuery("SHOW fsync")) {
                rs.next();
                System.out.println("PostgreSQL fsync=" + rs.getString(1) + ", " + Runtime.getRuntime().availableProcessors()
                        + " cores, " + ROWS + " rows");
            }
        }

        Path dir = Files.createTempDirectory("gateway-load");
        Files.writeString(dir.resolve("policy.json"), "{}");
        int port = freePort();
        Files.writeString(dir.resolve("config.yml"), """
                database:
                  url: %s
                  user: bench_gw
                  password: bench
                  maxPoolSize: %d
                policyFile: %s
                principals:
                  - name: bench-agent
                    role: agent
                    scopes: [ "query:execute" ]
                    tokenSha256: "%s"
                gateway:
                  maxConcurrentRequestsPerPrincipal: 256
                server:
                  applicationConnectors:
                    - type: http
                      port: %d
                  adminConnectors:
                    - type: http
                      port: 0
                  requestLog:
                    appenders: []
                logging:
                  level: WARN
                """.formatted(jdbcUrl, Integer.getInteger("bench.poolSize", 16), dir.resolve("policy.json"),
                sha256(TOKEN), port));
        GatewayProcess gateway = GatewayProcess.start(dir.resolve("config.yml"), port, TOKEN);
        pgPid = postmasterPid(direct);
        meter = new CpuMeter(ProcessHandle.current().pid(), gateway.pid(), pgPid);
        System.out.println("gateway: " + gateway.describe() + "; target pool " + Integer.getInteger("bench.poolSize", 16)
                + " connections; load driver pid " + ProcessHandle.current().pid()
                + "; PostgreSQL postmaster pid " + pgPid);
        ThreadLocal<MiniHttpClient> http = ThreadLocal.withInitial(() -> new MiniHttpClient("127.0.0.1", port));
        Client viaGateway = sql -> {
            int status = http.get().post("/v1/query", TOKEN, "{\"sql\":\"" + sql + "\"}");
            if (status != 200) {
                throw new IllegalStateException("gateway answered " + status);
            }
        };
        Client viaJdbc = sql -> {
            try (Connection c = direct.getConnection(); Statement st = c.createStatement()) {
                if (st.execute(sql)) {
                    try (ResultSet rs = st.getResultSet()) {
                        while (rs.next()) {
                            rs.getString(1);
                        }
                    }
                }
            }
        };

        // JIT warm-up: C2 compiling Jersey, Jetty and JSqlParser takes a core for tens of seconds;
        // measured runs start after it.
        int globalWarmup = Integer.getInteger("bench.globalWarmup", 40);
        System.out.println("warming up both paths for " + globalWarmup + " s ...");
        run("warmup-jdbc", 8, viaJdbc, 0, Math.max(1, globalWarmup / 4));
        run("warmup-gateway", 8, viaGateway, 0, Math.max(1, globalWarmup * 3 / 4));

        List<Result[]> rows = new ArrayList<>();
        for (int clients : clientCounts) {
            Result j = System.getProperty("bench.gatewayOnly") != null ? new Result("jdbc", clients, 1, 1, 0, 0, new CpuMeter.Sample(0, 0, 0, 0), "")
                    : run("jdbc", clients, viaJdbc, warmup, seconds);
            Result g = run("gateway", clients, viaGateway, warmup, seconds);
            rows.add(new Result[] {j, g});
        }
        System.out.println();
        System.out.println("| clients | JDBC q/s | JDBC p50 ms | JDBC p99 ms | gateway q/s | gateway p50 ms | gateway p99 ms |"
                + " added p50 ms | added p99 ms |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Result[] r : rows) {
            System.out.printf("| %d | %,.0f | %.3f | %.3f | %,.0f | %.3f | %.3f | %.3f | %.3f |%n", r[0].clients(),
                    r[0].qps(), ms(r[0].p50()), ms(r[0].p99()), r[1].qps(), ms(r[1].p50()), ms(r[1].p99()),
                    ms(r[1].p50() - r[0].p50()), ms(r[1].p99() - r[0].p99()));
        }
        System.out.println();
        System.out.println("CPU per request (us), by process; machine = all CPU time on the machine during the run,"
                + " so machine - (driver + gateway + postgres) is other work competing for the cores;"
                + " load = load average at the end of the run");
        System.out.println("| clients | path | driver | gateway | postgres | machine | load |");
        System.out.println("|---:|---|---:|---:|---:|---:|---|");
        for (Result[] r : rows) {
            for (Result x : r) {
                if (x.ops() > 1) {
                    System.out.printf("| %d | %s | %.0f | %.0f | %.0f | %.0f | %s |%n", x.clients(), x.mode(),
                            x.us(x.cpu().driver()), x.us(x.cpu().gateway()), x.us(x.cpu().postgres()),
                            x.us(x.cpu().machineBusy()), x.load());
                }
            }
        }
        try (Connection c = direct.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT xmin::text) FROM backstop.audit")) {
            rs.next();
            System.out.printf("%naudit rows: %,d in %,d transactions (group commit: %.1f rows per commit)%n",
                    rs.getLong(1), rs.getLong(2), rs.getLong(1) / (double) rs.getLong(2));
        } catch (Exception e) {
            System.out.println("audit not readable: " + e.getMessage());
        }
        gateway.stop();
        System.exit(0);
    }

    private static Result run(String mode, int clients, Client client, int warmup, int seconds) throws Exception {
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        AtomicLong errors = new AtomicLong();
        List<long[]> samples = new ArrayList<>();
        int[] counts = new int[clients];
        CountDownLatch done = new CountDownLatch(clients);
        for (int i = 0; i < clients; i++) {
            long[] mine = new long[4_000_000 / clients + 1000];
            samples.add(mine);
            int idx = i;
            Thread t = new Thread(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                int n = 0;
                while (!stop.get()) {
                    String sql = query(rnd);
                    long t0 = System.nanoTime();
                    try {
                        client.run(sql);
                    } catch (Exception e) {
                        if (errors.incrementAndGet() < 3) {
                            System.err.println(mode + ": " + e.getMessage());
                        }
                        continue;
                    }
                    long dt = System.nanoTime() - t0;
                    if (measuring.get() && n < mine.length) {
                        mine[n++] = dt;
                    }
                }
                counts[idx] = n;
                done.countDown();
            }, mode + "-" + i);
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(warmup * 1000L);
        CpuMeter.Sample cpu0 = meter == null ? null : meter.sample();
        measuring.set(true);
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        measuring.set(false);
        double elapsed = (System.nanoTime() - start) / 1e9;
        CpuMeter.Sample cpu = meter == null ? new CpuMeter.Sample(0, 0, 0, 0) : meter.sample().minus(cpu0);
        String load = CpuMeter.loadAverage();
        stop.set(true);
        done.await();
        long total = Arrays.stream(counts).sum();
        long[] all = new long[(int) total];
        int pos = 0;
        for (int i = 0; i < clients; i++) {
            System.arraycopy(samples.get(i), 0, all, pos, counts[i]);
            pos += counts[i];
        }
        Arrays.sort(all);
        Result r = new Result(mode, clients, total, elapsed, all[(int) (all.length * 0.50)],
                all[Math.min(all.length - 1, (int) (all.length * 0.99))], cpu, load);
        System.out.printf("%-8s clients=%-3d %,10.0f q/s  p50 %.3f ms  p99 %.3f ms  errors %d  cpu us/req: driver %.0f"
                        + " gateway %.0f postgres %.0f machine %.0f  load %s%n", mode, clients, r.qps(),
                ms(r.p50()), ms(r.p99()), errors.get(), r.us(cpu.driver()), r.us(cpu.gateway()), r.us(cpu.postgres()),
                r.us(cpu.machineBusy()), load);
        return r;
    }

    /** The PostgreSQL server's main process: the parent of any backend. */
    private static long postmasterPid(HikariDataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            long backend = rs.getLong(1);
            return ProcessHandle.of(backend).flatMap(ProcessHandle::parent).map(ProcessHandle::pid)
                    .orElseThrow(() -> new IllegalStateException("no parent for backend " + backend));
        }
    }

    private static HikariDataSource pool(String url, int size) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername("bench_gw");
        hc.setPassword("bench");
        hc.setMaximumPoolSize(size);
        return new HikariDataSource(hc);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
