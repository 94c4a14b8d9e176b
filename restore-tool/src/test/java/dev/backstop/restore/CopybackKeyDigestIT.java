package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Printed copyback SQL touches exactly the rows it was printed for: when, before it is applied, a writer restores one
 * missing row and deletes another (so as many rows are missing, but not the same ones), or changes other rows than
 * the counted ones, it aborts with the key digests it expected and found, and changes nothing. Keys of one integer
 * column and composite keys (digest of the key's text) alike.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class CopybackKeyDigestIT {

    /** {@code int}: one bigint key column; {@code composite}: a two-column (integer, text) key. */
    @ParameterizedTest
    @ValueSource(strings = {"int", "composite"})
    void missingRowsAbortWhenOtherRowsAreMissingThanPrinted(String key, PgDatabase db) throws Exception {
        // Missing: 1..5. Before the printed SQL runs, a writer puts row 1 back and deletes row 6: still five
        // missing, not the same five.
        printSwapApply(db, key, "d", Copyback.Mode.MISSING_ROWS, "DELETE FROM LIVE WHERE a BETWEEN 1 AND 5",
                "inserts 5 missing row(s) (key digest ", "expected to insert 5 row(s) of public.LIVE with key digest ",
                "INSERT INTO LIVE SELECT * FROM REC WHERE a = 1", "DELETE FROM LIVE WHERE a = 6");
    }

    @ParameterizedTest
    @ValueSource(strings = {"int", "composite"})
    void upsertAbortsWhenOtherRowsChangedThanPrinted(String key, PgDatabase db) throws Exception {
        // Changed: 1 and 2. Then a writer sets row 1 back and changes row 3: still two changed, not the same two.
        printSwapApply(db, key, "u", Copyback.Mode.UPSERT, "UPDATE LIVE SET v = 'changed' WHERE a IN (1, 2)",
                "updates 2 changed row(s) (key digest ", "expected to update 2 row(s) of public.LIVE with key digest ",
                "UPDATE LIVE SET v = r.v FROM REC r WHERE LIVE.a = r.a AND r.a = 1",
                "UPDATE LIVE SET v = 'changed' WHERE a = 3");
    }

    /**
     * A key whose digest hashes its text (timestamptz, double precision in a composite key): printed in the tool's
     * session, the SQL runs from a session with another TimeZone and extra_float_digits (the driver itself insists on an ISO DateStyle), and its digest
     * still matches, because the script sets the tool's output formats for its own transaction.
     */
    @org.junit.jupiter.api.Test
    void theDigestOfAKeysTextHoldsInASessionWithOtherOutputSettings(PgDatabase db) throws Exception {
        String columns = "at timestamptz, f double precision, v text, PRIMARY KEY (at, f)";
        db.execute("CREATE TABLE sr (" + columns + ")",
                "INSERT INTO sr SELECT timestamptz '2026-01-01 00:00:00.123456+00' + g * interval '1 hour', g / 3.0,"
                        + " 'v' || g FROM generate_series(1, 40) g",
                "CREATE TABLE sl (" + columns + ")", "INSERT INTO sl SELECT * FROM sr WHERE f > 2");
        Copyback.Script printed;
        try (Connection c = Database.prepare(db.connect())) {
            printed = script(c, "sl", "sr", Copyback.Mode.MISSING_ROWS);
        }
        assertTrue(printed.summary().contains("inserts 6 missing row(s) (key digest "), printed.summary());
        try (Connection other = db.connect(); java.sql.Statement s = other.createStatement()) {
            s.execute("SET DateStyle = 'ISO, DMY'; SET TimeZone = 'America/New_York'; SET extra_float_digits = 0");
            s.execute(printed.text(null));
            // SET LOCAL: the session's own settings are back after the transaction
            try (java.sql.ResultSet rs = s.executeQuery("SHOW TimeZone")) {
                rs.next();
                assertEquals("America/New_York", rs.getString(1));
            }
        }
        assertEquals(content(db, "sr"), content(db, "sl"));
    }

    /**
     * After {@code incident}, the copyback is printed ({@code summary} in its header); the writer's {@code swap}
     * keeps the count but changes which rows; the printed SQL then aborts ({@code abort} in the error, with the
     * digest it found) and changes nothing; printed again, it makes the live table equal the recovered one. In the
     * SQL texts LIVE and REC stand for the two tables.
     */
    private static void printSwapApply(PgDatabase db, String key, String prefix, Copyback.Mode mode, String incident,
                                       String summary, String abort, String... swap) throws Exception {
        String live = prefix + "l_" + key;
        String rec = prefix + "r_" + key;
        create(db, key, live, rec);
        db.execute(incident.replace("LIVE", live));
        try (Connection c = Database.prepare(db.connect())) {
            Copyback.Script printed = script(c, live, rec, mode);
            assertTrue(printed.summary().contains(summary), printed.summary());
            for (String sql : swap) {
                db.execute(sql.replace("LIVE", live).replace("REC", rec));
            }
            String before = content(db, live);
            SQLException e = assertThrows(SQLException.class, () -> Copyback.apply(c, printed));
            assertTrue(e.getMessage().contains("backstop copyback: " + abort.replace("LIVE", live)), e.getMessage());
            assertTrue(e.getMessage().contains(" row(s) with key digest "), e.getMessage());
            assertEquals(before, content(db, live));

            Copyback.apply(c, script(c, live, rec, mode));
            assertEquals(content(db, rec), content(db, live));
        }
    }

    private static void create(PgDatabase db, String key, String live, String rec) throws SQLException {
        String columns = key.equals("int") ? "a bigint PRIMARY KEY, b text NOT NULL, v text"
                : "a integer, b text, v text, PRIMARY KEY (a, b)";
        db.execute("CREATE TABLE " + rec + " (" + columns + ")",
                "INSERT INTO " + rec + " SELECT g, 'k' || g, 'v' || g FROM generate_series(1, 100) g",
                "CREATE TABLE " + live + " (" + columns + ")",
                "INSERT INTO " + live + " SELECT * FROM " + rec);
    }

    private static Copyback.Script script(Connection c, String live, String rec, Copyback.Mode mode)
            throws SQLException {
        return Copyback.script(c, new TableComparison(Relation.describe(c, "public", live).orElseThrow(),
                Relation.describe(c, "public", rec).orElseThrow()), mode);
    }

    private static String content(PgDatabase db, String table) throws SQLException {
        return String.valueOf(db.queryValue("SELECT count(*) || ':' || md5(string_agg(ROW(t.*)::text, ',' ORDER BY ROW(t.*)::text))"
                + " FROM " + table + " t"));
    }
}
