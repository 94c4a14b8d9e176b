package dev.backstop.sidecar;

import dev.backstop.sidecar.pg.JdbcValues;
import dev.backstop.sidecar.pg.PgCatalog;
import dev.backstop.sidecar.pg.TableSchema;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.parquet.TableRebuilder;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.snapshot.store.S3ObjectStore;
import dev.backstop.snapshot.store.S3Settings;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Shared set-up for the sidecar's integration tests: configuration, S3 access, table contents and replays. */
final class SidecarFixture {
    static final String PREFIX = "bs";

    final PgDatabase db;
    final S3Endpoint s3;
    final S3Settings s3Settings;
    final Path dir;
    final List<String> alerts = new CopyOnWriteArrayList<>();

    SidecarFixture(PgDatabase db, S3Endpoint s3, Path dir) {
        this.db = db;
        this.s3 = s3;
        this.dir = dir;
        this.s3Settings = new S3Settings(s3.endpoint().toString(), s3.region(), s3.bucket(), PREFIX, true,
                s3.accessKey(), s3.secretKey());
    }

    /** A configuration with its own slot and publication; flush and heartbeat every {@code intervalSeconds}. */
    SidecarConfig config(String id, List<String> tables, int intervalSeconds, Map<String, List<String>> groups) {
        return new SidecarConfig(db.jdbcUrl(), db.user(), db.password() == null ? "" : db.password(), s3Settings,
                id, 0, "test-token-0123456789", id.replace('-', '_') + "_slot", id.replace('-', '_') + "_pub",
                tables, dir.resolve("state-" + id), intervalSeconds, intervalSeconds, 168, groups, 100_000,
                64L * 1024 * 1024, 100, 1_000_000, 10);
    }

    Sidecar start(SidecarConfig config) throws Exception {
        return start(config, Clock.systemUTC());
    }

    Sidecar start(SidecarConfig config, Clock clock) throws Exception {
        return start(config, clock, S3ObjectStore.create(s3Settings));
    }

    /** With a store of the test's own (a fault-injecting wrapper around {@link #store()}). */
    Sidecar start(SidecarConfig config, Clock clock, ObjectStore store) throws Exception {
        return Sidecar.start(config, store, clock,
                (type, severity, table, message) -> alerts.add(type + " " + table + ": " + message));
    }

    ObjectStore store() {
        return S3ObjectStore.create(s3Settings);
    }

    TableRef table(String qualified) {
        return TableRef.parse(db.name(), qualified);
    }

    static Lsn currentLsn(Connection c) throws Exception {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    /** The table's rows as value lists (the same Java values the Parquet files hold), counted as a multiset. */
    Map<List<Object>, Integer> contents(Connection c, String qualified) throws Exception {
        TableSchema schema = PgCatalog.describe(c, table(qualified)).orElseThrow();
        Map<List<Object>, Integer> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + qualified); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Object[] row = new Object[schema.columns().size()];
                for (int i = 0; i < row.length; i++) {
                    row[i] = JdbcValues.read(rs, i + 1, schema.columns().get(i));
                }
                out.merge(Arrays.asList(row), 1, Integer::sum);
            }
        }
        return out;
    }

    /** Base + deltas of {@code m} replayed to {@code lsn}, checked for consistency, as a multiset of rows. */
    Map<List<Object>, Integer> replay(ObjectStore store, Manifest m, Lsn lsn) throws Exception {
        Path files = Files.createDirectories(dir.resolve("files"));
        TableRebuilder.RebuiltTable rt = TableRebuilder.rebuild(m, f -> {
            Path p = files.resolve(Integer.toHexString(f.key().hashCode()) + ".parquet");
            if (!Files.exists(p)) {
                assertTrue(store.getToFile(f.key(), p), "missing file " + f.key());
            }
            return p;
        }, lsn);
        assertEquals(0, rt.unmatchedChanges(), "deletes/updates without a matching old row");
        Map<List<Object>, Integer> out = new HashMap<>();
        for (Object[] row : rt.rows()) {
            out.merge(Arrays.asList(row), 1, Integer::sum);
        }
        if (m.totalRows() != null && lsn.equals(m.coveredLsn())) {
            assertEquals(m.totalRows().longValue(), out.values().stream().mapToLong(Integer::longValue).sum(),
                    "total_rows of " + m.recoveryPointId());
        }
        return out;
    }

    RecoveryPointCatalog catalog(ObjectStore store) {
        return new RecoveryPointCatalog(store, new SnapshotKeys(PREFIX));
    }

    /** Fails with sizes and the first differing row (shortened: rows can hold large values). */
    static void assertSameRows(String what, Map<List<Object>, Integer> expected, Map<List<Object>, Integer> actual) {
        if (Objects.equals(expected, actual)) {
            return;
        }
        List<String> missing = new ArrayList<>();
        expected.forEach((row, n) -> {
            if (!n.equals(actual.getOrDefault(row, 0))) {
                missing.add(n + "x " + row);
            }
        });
        List<String> extra = new ArrayList<>();
        actual.forEach((row, n) -> {
            if (!n.equals(expected.getOrDefault(row, 0))) {
                extra.add(n + "x " + row);
            }
        });
        Collections.sort(missing);
        Collections.sort(extra);
        fail(what + ": expected " + size(expected) + " rows, got " + size(actual) + "; expected-only: "
                + shorten(missing) + "; actual-only: " + shorten(extra));
    }

    private static long size(Map<List<Object>, Integer> m) {
        return m.values().stream().mapToLong(Integer::longValue).sum();
    }

    private static String shorten(List<String> rows) {
        String s = rows.isEmpty() ? "none" : rows.size() + " e.g. " + rows.get(0);
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
