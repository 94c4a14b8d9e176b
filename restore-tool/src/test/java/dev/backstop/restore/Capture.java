package dev.backstop.restore;

import dev.backstop.sidecar.Sidecar;
import dev.backstop.sidecar.SidecarConfig;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.store.S3ObjectStore;
import dev.backstop.snapshot.store.S3Settings;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End-to-end set-up: the real sidecar capturing tables of a real PostgreSQL into a real S3 server, and the restore
 * tool run in-process against the same database and bucket. One prefix (and slot, publication) per use.
 */
final class Capture implements AutoCloseable {
    final PgDatabase db;
    final S3Endpoint s3;
    final Path dir;
    final String id;
    final S3Settings settings;
    final List<String> alerts = new CopyOnWriteArrayList<>();
    Sidecar sidecar;
    List<String> patterns = List.of("public.*");
    /** Lines appended to every config this writes (e.g. a gateway section naming the sidecar's URL). */
    final List<String> extraConfig = new java.util.ArrayList<>();
    Map<String, List<String>> groups = Map.of();
    /** The restore tool's database URL in the configs written from now on; null: the test database's own. */
    String databaseUrl;

    Capture(PgDatabase db, S3Endpoint s3, Path dir, String id) {
        this.db = db;
        this.s3 = s3;
        this.dir = dir;
        this.id = id;
        this.settings = new S3Settings(s3.endpoint().toString(), s3.region(), s3.bucket(), "bs-" + id, true,
                s3.accessKey(), s3.secretKey());
    }

    Capture start(List<String> tables, Map<String, List<String>> groups) throws Exception {
        patterns = List.copyOf(tables);
        this.groups = Map.copyOf(groups);
        // The sidecar reads the same file as the restore tool (its own sections), through its public loader.
        SidecarConfig cfg = SidecarConfig.load(config(), env()::get);
        // The fixture's Apache-based S3 client (test-support/README.md, "Known problem").
        sidecar = Sidecar.start(cfg, new S3ObjectStore(s3.newClient(), s3.bucket()), Clock.systemUTC(),
                (type, severity, table, message) -> alerts.add(type + " " + table + ": " + message));
        assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(120)), "initial recovery points");
        return this;
    }

    Map<String, String> env() {
        return Map.of("TEST_ACCESS_KEY", s3.accessKey(), "TEST_SECRET_KEY", s3.secretKey());
    }

    /** Every change committed before this call is durable in S3 (what the gateway asks for before a CRITICAL op). */
    Sidecar.FlushResult flush() throws Exception {
        return sidecar.flush(List.of(), Duration.ofSeconds(120)).orElseThrow(() -> new AssertionError("flush timed out"));
    }

    /** The restore tool's config names the running sidecar's HTTP endpoint (as gateway.sidecarUrl), so it can flush. */
    Capture withSidecarUrl(String url) {
        extraConfig.add("gateway:");
        extraConfig.add("  sidecarUrl: " + (url != null ? url : "http://127.0.0.1:" + sidecar.httpPort()));
        return this;
    }

    TableRef table(String qualified) {
        return TableRef.parse(db.name(), qualified);
    }

    /** A config.yml for the restore tool pointing at this database and prefix. */
    Path config(String... extraLines) throws Exception {
        StringBuilder y = new StringBuilder();
        y.append("database:\n  url: ").append(databaseUrl != null ? databaseUrl : db.jdbcUrl()).append("\n  user: ").append(db.user()).append('\n');
        if (db.password() != null) {
            y.append("  password: ").append(db.password()).append('\n');
        }
        y.append("  stateSchema: backstop\n");
        y.append("snapshots:\n  endpoint: ").append(s3.endpoint()).append("\n  region: ").append(s3.region())
                .append("\n  bucket: ").append(s3.bucket()).append("\n  prefix: ").append(settings.prefix())
                .append("\n  pathStyle: true\n  accessKeyId: ${TEST_ACCESS_KEY}\n  secretAccessKey: ${TEST_SECRET_KEY}\n");
        String under = id.replace('-', '_');
        y.append("sidecar:\n  id: sc-").append(id).append("\n  httpPort: 0\n  httpToken: test-token-0123456789\n")
                .append("  replicationUser: ").append(db.user()).append('\n')
                .append("  replicationPassword: ").append(db.password() == null ? "\"\"" : db.password()).append('\n')
                .append("  slotName: ").append(under).append("_slot\n  publicationName: ").append(under).append("_pub\n")
                .append("  stateDir: ").append(dir.resolve("state-" + id)).append('\n')
                .append("  flushIntervalSeconds: 3600\n  heartbeatIntervalSeconds: 3600\n")
                .append("  tables: [ ").append(String.join(", ", patterns.stream().map(p -> "\"" + p + "\"").toList()))
                .append(" ]\n");
        if (groups.isEmpty()) {
            y.append("  recoveryGroups: {}\n");
        } else {
            y.append("  recoveryGroups:\n");
            groups.forEach((g, members) -> y.append("    ").append(g).append(": [ ")
                    .append(String.join(", ", members.stream().map(p -> "\"" + p + "\"").toList())).append(" ]\n"));
        }
        for (String l : extraConfig) {
            y.append(l).append('\n');
        }
        for (String l : extraLines) {
            y.append(l).append('\n');
        }
        Path f = dir.resolve("config-" + id + ".yml");
        Files.writeString(f, y.toString());
        return f;
    }

    CliRun run(Instant now, String... args) throws Exception {
        return CliRun.runWithConfig(env(), now, dir, config(), args);
    }

    CliRun run(String... args) throws Exception {
        return run(Instant.now(), args);
    }

    static Lsn currentLsn(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    /** Content of a table as one hash over its rows' text in key order (every type compared by its text form). */
    static String contentHash(Connection c, String relation, String orderBy) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY " + orderBy + ")), '-') FROM "
                        + relation + " t")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The SQL of one printed copyback mode, from "BEGIN;" to "COMMIT;". */
    static String script(String output, String mode) {
        int at = output.indexOf("-- ===== mode " + mode + " ");
        assertTrue(at >= 0, "no copyback script for " + mode + " in:\n" + output);
        int begin = output.indexOf("BEGIN;\n", at);
        int commit = output.indexOf("COMMIT;\n", begin);
        return output.substring(begin, commit + "COMMIT;\n".length());
    }

    @Override
    public void close() {
        if (sidecar != null) {
            sidecar.close();
        }
    }
}
