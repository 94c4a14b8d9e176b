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
        String live = "dl_" + key;
        String rec = "dr_" + key;
        create(db, key, live, rec);
        // Missing now: 1..5 (deleted after the recovery point).
        db.execute("DELETE FROM " + live + " WHERE a BETWEEN 1 AND 5");
        try (Connection c = Database.prepare(db.connect())) {
            Copyback.Script printed = script(c, live, rec, Copyback.Mode.MISSING_ROWS);
            assertTrue(printed.summary().contains("inserts 5 missing row(s) (key digest "), printed.summary());
            // Before it is applied, a writer puts row 1 back and deletes row 6: still 5 missing, not the same five.
            db.execute("INSERT INTO " + live + " SELECT * FROM " + rec + " WHERE a = 1",
                    "DELETE FROM " + live + " WHERE a = 6");
            String before = content(db, live);
            SQLException e = assertThrows(SQLException.class, () -> Copyback.apply(c, printed));
            assertTrue(e.getMessage().contains("backstop copyback: expected to insert 5 row(s) of public." + live
                    + " with key digest "), e.getMessage());
            assertTrue(e.getMessage().contains(", got 5 row(s) with key digest "), e.getMessage());
            assertEquals(before, content(db, live));

            // Printed again now, it inserts exactly those five, and the table is whole again.
            Copyback.apply(c, script(c, live, rec, Copyback.Mode.MISSING_ROWS));
            assertEquals(content(db, rec), content(db, live));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"int", "composite"})
    void upsertAbortsWhenOtherRowsChangedThanPrinted(String key, PgDatabase db) throws Exception {
        String live = "ul_" + key;
        String rec = "ur_" + key;
        create(db, key, live, rec);
        db.execute("UPDATE " + live + " SET v = 'changed' WHERE a IN (1, 2)");
        try (Connection c = Database.prepare(db.connect())) {
            Copyback.Script printed = script(c, live, rec, Copyback.Mode.UPSERT);
            assertTrue(printed.summary().contains("updates 2 changed row(s) (key digest "), printed.summary());
            db.execute("UPDATE " + live + " SET v = v2 FROM (SELECT v AS v2, a AS a2 FROM " + rec + ") r"
                    + " WHERE a = a2 AND a = 1", "UPDATE " + live + " SET v = 'changed' WHERE a = 3");
            String before = content(db, live);
            SQLException e = assertThrows(SQLException.class, () -> Copyback.apply(c, printed));
            assertTrue(e.getMessage().contains("backstop copyback: expected to update 2 row(s) of public." + live
                    + " with key digest "), e.getMessage());
            assertEquals(before, content(db, live));

            Copyback.apply(c, script(c, live, rec, Copyback.Mode.UPSERT));
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
        return String.valueOf(db.queryValue("SELECT count(*) || ':' || md5(string_agg(ROW(t.*)::text, ',' ORDER BY a))"
                + " FROM " + table + " t"));
    }
}
