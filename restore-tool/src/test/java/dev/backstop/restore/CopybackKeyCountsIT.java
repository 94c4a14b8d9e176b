package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.store.S3ObjectStore;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The copyback counts from the restore's streamed keys merged with the live keys (binary COPY) are exactly the SQL
 * full join's, for smallint, integer and bigint keys: missing and extra rows, a live table that lost its primary key
 * and holds duplicate and NULL keys, an empty live table; over the key limit (live or recovered side), outside
 * autocommit, or with another key type, the counts come from SQL, with the same numbers.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class CopybackKeyCountsIT {

    @TempDir
    Path dir;

    @AfterEach
    void defaultLimit() {
        KeyCollector.setLimitForTests(-1);
    }

    private static String[] extremes(String type) {
        return switch (type) {
            case "smallint" -> new String[] {"-32768", "32767"};
            case "integer" -> new String[] {"-2147483648", "2147483647"};
            default -> new String[] {"-9223372036854775808", "9223372036854775807"};
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"smallint", "integer", "bigint"})
    void countsFromKeysEqualTheFullJoinsExactly(String type, PgDatabase db) throws Exception {
        String live = "live_" + type;
        String rec = "rec_" + type;
        String min = extremes(type)[0];
        String max = extremes(type)[1];
        db.execute("CREATE TABLE " + rec + " (id " + type + " PRIMARY KEY, v text)",
                "INSERT INTO " + rec + " SELECT g, 'r' || g FROM generate_series(-200, 200) g",
                "INSERT INTO " + rec + " VALUES (" + min + ", 'min'), (" + max + ", 'max')",
                "CREATE TABLE " + live + " (id " + type + " PRIMARY KEY, v text)",
                "INSERT INTO " + live + " SELECT * FROM " + rec,
                "DELETE FROM " + live + " WHERE id BETWEEN 1 AND 50 OR id = " + min,
                "INSERT INTO " + live + " SELECT g, 'x' || g FROM generate_series(300, 329) g",
                "UPDATE " + live + " SET v = 'changed' WHERE id BETWEEN -10 AND -1");
        try (Connection c = Database.prepare(db.connect())) {
            long[] keys = ids(c, rec);
            assertEquals(403, keys.length);
            // 403 recovered; 51 deleted (1..50 and the minimum), 30 inserted, 10 changed
            check(c, live, rec, keys, new TableComparison.Counts(382, 403, 51, 30, 10), true);

            // The live table lost its primary key: duplicates of matched keys (2 of them different), of extra keys,
            // of the maximum, and NULL keys. Each live row counts; a NULL key is extra.
            db.execute("ALTER TABLE " + live + " DROP CONSTRAINT " + live + "_pkey",
                    "ALTER TABLE " + live + " ALTER COLUMN id DROP NOT NULL",
                    "INSERT INTO " + live + " SELECT g, 'r' || g FROM generate_series(100, 104) g",
                    "INSERT INTO " + live + " VALUES (105, 'dup differs'), (106, 'dup differs')",
                    "INSERT INTO " + live + " VALUES (300, 'x300'), (300, 'x300'), (329, 'again')",
                    "INSERT INTO " + live + " VALUES (NULL, 'n1'), (NULL, 'n2'), (NULL, 'n3'), (NULL, 'n4')",
                    "INSERT INTO " + live + " VALUES (" + max + ", 'max')");
            TableComparison.Counts dirty = new TableComparison.Counts(397, 403, 51, 37, 12);
            check(c, live, rec, keys, dirty, true);

            // Key limit: the live table's 397 rows fit a limit of 397, not one of 396 (the COPY stops by itself).
            KeyCollector.setLimitForTests(397);
            check(c, live, rec, keys, dirty, true);
            KeyCollector.setLimitForTests(396);
            check(c, live, rec, keys, dirty, false);
            KeyCollector.setLimitForTests(0);
            check(c, live, rec, keys, dirty, false);
            KeyCollector.setLimitForTests(-1);

            // Inside a transaction a failed COPY would abort the caller's work: SQL then.
            c.setAutoCommit(false);
            check(c, live, rec, keys, dirty, false);
            c.rollback();
            c.setAutoCommit(true);

            db.execute("TRUNCATE " + live);
            check(c, live, rec, keys, new TableComparison.Counts(0, 403, 403, 0, 0), true);
        }
    }

    @Test
    void countsAreMeasuredOncePerComparisonAndOnlyForTheSameIntegerKeyType(PgDatabase db) throws Exception {
        db.execute("CREATE TABLE once_rec (id integer PRIMARY KEY, v text)",
                "INSERT INTO once_rec SELECT g, 'v' || g FROM generate_series(1, 100) g",
                "CREATE TABLE once_live (id integer PRIMARY KEY, v text)",
                "INSERT INTO once_live SELECT g, 'v' || g FROM generate_series(1, 90) g",
                "UPDATE once_live SET v = 'other' WHERE id <= 3",
                "CREATE TABLE wide_live (id bigint PRIMARY KEY, v text)",
                "INSERT INTO wide_live SELECT * FROM once_live");
        try (Connection c = Database.prepare(db.connect())) {
            long[] keys = ids(c, "once_rec");
            TableComparison cmp = new TableComparison(describe(c, "once_live"), describe(c, "once_rec"), keys);
            assertEquals(new TableComparison.Counts(90, 100, 10, 0, -1), cmp.counts(c, false));
            assertTrue(cmp.countedFromKeys());
            db.execute("INSERT INTO once_live VALUES (500, 'later')");
            // the first measurement is kept (several modes print the same numbers); changed is counted when asked
            assertEquals(new TableComparison.Counts(90, 100, 10, 0, 3), cmp.counts(c, true));
            assertEquals(new TableComparison.Counts(90, 100, 10, 0, -1), cmp.counts(c, false));
            assertEquals(new TableComparison.Counts(91, 100, 10, 1, 3),
                    new TableComparison(describe(c, "once_live"), describe(c, "once_rec"), keys).counts(c, true));

            // a live key of another type than the recovered one: never merged as if equal
            TableComparison wide = new TableComparison(describe(c, "wide_live"), describe(c, "once_rec"), keys);
            assertEquals(new TableComparison.Counts(90, 100, 10, 0, -1), wide.counts(c, false));
            assertFalse(wide.countedFromKeys());
        }
    }

    /** Both ways of counting give {@code expected}; {@code fromKeys}: whether the keys were used. */
    private static void check(Connection c, String live, String rec, long[] keys, TableComparison.Counts expected,
                              boolean fromKeys) throws Exception {
        Relation l = describe(c, live);
        Relation r = describe(c, rec);
        TableComparison sql = new TableComparison(l, r);
        assertEquals(expected, sql.counts(c, true));
        assertFalse(sql.countedFromKeys());
        TableComparison merged = new TableComparison(l, r, keys);
        assertEquals(expected, merged.counts(c, true));
        assertEquals(fromKeys, merged.countedFromKeys());
        TableComparison.Counts noChanged = new TableComparison(l, r, keys).counts(c, false);
        assertEquals(new TableComparison.Counts(expected.liveRows(), expected.recoveredRows(), expected.missing(),
                expected.extra(), -1), noChanged);
        // The key digests of the missing and changed rows, whichever way counted, are those computed here in SQL.
        String missing = digest(c, "SELECT r.id FROM " + rec + " r WHERE NOT EXISTS (SELECT 1 FROM " + live
                + " t WHERE t.id = r.id)");
        String changed = digest(c, "SELECT r.id FROM " + rec + " r JOIN " + live + " t ON t.id = r.id"
                + " WHERE ROW(t.*)::text IS DISTINCT FROM ROW(r.*)::text");
        assertEquals(missing, sql.missingDigest().toString());
        assertEquals(missing, merged.missingDigest().toString());
        assertEquals(changed, sql.changedDigest().toString());
        assertEquals(changed, merged.changedDigest().toString());
    }

    /** The exact sum of {@code hashint8extended(id, 0)} over the ids {@code select} returns. */
    static String digest(Connection c, String select) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT coalesce(sum(hashint8extended(id::int8, 0)), 0)::text FROM (" + select + ") x")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Relation describe(Connection c, String table) throws Exception {
        return Relation.describe(c, "public", table).orElseThrow();
    }

    private static long[] ids(Connection c, String table) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM " + table + " ORDER BY id")) {
            long[] out = new long[16];
            int n = 0;
            while (rs.next()) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = rs.getLong(1);
            }
            return Arrays.copyOf(out, n);
        }
    }

    /** What the restore handed to the work done while validating, and what that work measured with it. */
    private record Restored(Restorer.Outcome outcome, long[] keys, TableComparison.Counts counts, boolean fromKeys,
                            TableComparison.Counts sqlCounts) {
    }

    private static final String[] TYPES = {"smallint", "integer", "bigint"};
    /** Recovered at L0: 2000 rows; then 201 of them deleted (ids divisible by 10) and 50 inserted. */
    private static final TableComparison.Counts AFTER_INCIDENT = new TableComparison.Counts(1849, 2000, 201, 50, -1);

    @Test
    void theRestoreStreamsItsKeysIntoTheCopybackCounts(PgDatabase db, S3Endpoint s3) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "keycounts"); Connection c = db.connect()) {
            for (String t : TYPES) {
                db.execute("CREATE TABLE k_" + t + " (id " + t + " PRIMARY KEY, v text)",
                        "INSERT INTO k_" + t + " SELECT g, 'v' || g FROM generate_series(-1000, 999) g");
            }
            cap.start(List.of("public.k_smallint", "public.k_integer", "public.k_bigint"), Map.of());
            for (String t : TYPES) { // replayed from the changes: the recovered keys are -1000..998 and 1500
                db.execute("DELETE FROM k_" + t + " WHERE id = 999", "INSERT INTO k_" + t + " VALUES (1500, 'late')");
            }
            Lsn l0 = Capture.currentLsn(c);
            for (String t : TYPES) {
                db.execute("DELETE FROM k_" + t + " WHERE id % 10 = 0",
                        "INSERT INTO k_" + t + " SELECT g, 'new' || g FROM generate_series(1000, 1049) g");
            }
            cap.flush();

            try (Session session = session(cap)) {
                for (String t : TYPES) {
                    Restored r = restore(session, "k_" + t, l0, "k_" + t + "_rec");
                    assertTrue(r.outcome().ok(), r.outcome().problems().toString());
                    assertArrayEquals(ids(c, "k_" + t + "_rec"), r.keys(), t); // every streamed key, sorted
                    assertEquals(AFTER_INCIDENT, r.counts(), t);
                    assertTrue(r.fromKeys(), t);
                    assertEquals(AFTER_INCIDENT, r.sqlCounts(), t);
                }
                // 2000 recovered keys fit a limit of 2000; over a limit of 1999 they are given up: SQL counts
                KeyCollector.setLimitForTests(2000);
                Restored at = restore(session, "k_bigint", l0, "k_bigint_at");
                assertEquals(2000, at.keys().length);
                assertTrue(at.fromKeys());
                assertEquals(AFTER_INCIDENT, at.counts());
                KeyCollector.setLimitForTests(1999);
                Restored over = restore(session, "k_bigint", l0, "k_bigint_over");
                assertTrue(over.outcome().ok());
                assertNull(over.keys());
                assertFalse(over.fromKeys());
                assertEquals(AFTER_INCIDENT, over.counts());
            }

            // The command prints the same exact counts whether they come from the keys or (over the limit) from SQL.
            KeyCollector.setLimitForTests(-1);
            String fromKeys = printed(cap, l0, "k_integer_cli");
            KeyCollector.setLimitForTests(10);
            String fromSql = printed(cap, l0, "k_integer_cli_sql");
            assertEquals(fromKeys, fromSql.replace("k_integer_cli_sql", "k_integer_cli"));
            KeyCollector.setLimitForTests(-1);

            // On that path the printed counts are the keys' (here one key short: -1000, missing in the live table).
            long[] keys = ids(c, "k_integer_cli");
            String text = RestoreCommand.copybackText(c, cap.table("public.k_integer"), "k_integer_cli",
                    List.of("missing-rows"), List.of("id"), Arrays.copyOfRange(keys, 1, keys.length), "backstop");
            assertTrue(text.contains("-- Now: live 1849 rows, recovered 1999 rows; by primary key (id): 200 missing,"
                    + " 50 extra."), text);
        }
    }

    /** The restore command's printed copyback SQL (missing-rows) after checking its counts. */
    private static String printed(Capture cap, Lsn l0, String into) throws Exception {
        CliRun r = cap.run("restore", "public.k_integer", "--lsn", l0.toString(), "--into", into, "--mode", "missing-rows");
        assertEquals(0, r.exitCode(), r.toString());
        String sql = Capture.script(r.out(), "missing-rows");
        assertTrue(r.out().contains("-- Now: live 1849 rows, recovered 2000 rows; by primary key (id): 201 missing,"
                + " 50 extra."), r.out());
        String digest;
        try (Connection c = cap.db.connect()) {
            digest = digest(c, "SELECT r.id FROM " + into + " r WHERE NOT EXISTS (SELECT 1 FROM k_integer t"
                    + " WHERE t.id = r.id)");
        }
        assertTrue(sql.contains("IF n <> 201 OR d <> " + digest + " THEN RAISE EXCEPTION 'backstop copyback: expected"
                + " to insert 201 row(s) of public.k_integer with key digest " + digest + ", got % row(s) with key digest"
                + " %; nothing was changed', n, d; END IF;"), sql);
        return r.out().substring(r.out().indexOf("-- ===== mode missing-rows"));
    }

    private Session session(Capture cap) throws Exception {
        Environment env = new Environment(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                cap.env(), Clock.systemUTC(), dir, S3ObjectStore::create);
        return new Session(env, new ConfigLoader(cap.env()).load(cap.config()), null);
    }

    /** Restores {@code table} as of {@code lsn} into {@code into}, measuring the counts while it is validated. */
    private Restored restore(Session session, String table, Lsn lsn, String into) throws Exception {
        TableRef ref = session.table("public." + table);
        Path work = Files.createTempDirectory(dir, "work");
        Restorer restorer = new Restorer(session.catalog(), session.store(), work, Clock.systemUTC(),
                session::newConnection, 2);
        Result<VerifiedManifest> chosen = restorer.choose(ref, new RestoreTarget(lsn, "test", null), null);
        assertTrue(chosen.ok(), chosen.problems().toString());
        Restorer.Plan plan = restorer.prepare(chosen.value(), lsn, new VerifiedFiles(session.store(), work));
        AtomicReference<long[]> seen = new AtomicReference<>();
        AtomicReference<TableComparison> merged = new AtomicReference<>();
        AtomicReference<TableComparison.Counts> counts = new AtomicReference<>();
        AtomicReference<TableComparison.Counts> sqlCounts = new AtomicReference<>();
        Restorer.Outcome o = restorer.load(session.db(), plan, into, false, (conn, pk, keys) -> {
            seen.set(keys == null ? null : keys.clone());
            Relation described = Relation.describe(conn, "public", into).orElseThrow();
            Relation rec = new Relation(described.schema(), described.name(), described.columns(), List.copyOf(pk));
            Relation live = Relation.describe(conn, "public", table).orElseThrow();
            TableComparison cmp = new TableComparison(live, rec, keys);
            counts.set(cmp.counts(conn, false));
            merged.set(cmp);
            sqlCounts.set(new TableComparison(live, rec).counts(conn, false));
            return "measured";
        });
        assertEquals("measured", o.prepared(), "the work done while validating failed");
        return new Restored(o, seen.get(), counts.get(), merged.get().countedFromKeys(), sqlCounts.get());
    }
}
