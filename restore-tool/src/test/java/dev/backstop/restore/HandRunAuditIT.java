package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.GatewayStateSchema;
import dev.backstop.testsupport.PgDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Printed copyback SQL, pasted as it is (one JDBC execute of the whole text, as psql runs it), records itself in the
 * gateway's audit chain in its own transaction: one complete record when it commits, none when it aborts, and the
 * chain still verifies by its documented formula. Without the audit table, or for a role that may not write to it,
 * it says so in a NOTICE and the copyback still runs.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class HandRunAuditIT {

    @Test
    void aCommittedCopybackIsRecordedAndAnAbortedOneIsNot(PgDatabase db) throws Exception {
        stateSchema(db);
        tables(db, "ha_live", "ha_rec");
        String text;
        try (Connection c = Database.prepare(db.connect())) {
            text = script(c, "ha_live", "ha_rec").text("backstop");
        }
        int before = AuditChainCheck.assertValid(db);
        List<String> notices = run(db.connect(), text);
        assertEquals(content(db, "ha_rec"), content(db, "ha_live"));
        assertEquals(before + 1, AuditChainCheck.assertValid(db));
        assertTrue(notices.get(notices.size() - 1).startsWith("backstop: copyback recorded in the audit chain (seq "
                + (before + 1) + ", id "), notices.toString());
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT principal, decision, outcome, record, completion FROM backstop.audit ORDER BY seq DESC LIMIT 1")) {
            assertTrue(rs.next());
            assertEquals("restore-tool", rs.getString(1));
            assertEquals("copyback", rs.getString(2));
            assertEquals("applied", rs.getString(3));
            JsonNode record = new ObjectMapper().readTree(rs.getString(4));
            assertEquals("copyback", record.get("event").asText());
            assertEquals("printed SQL run by hand", record.get("applied_as").asText());
            assertEquals(db.user(), record.get("db_user").asText());
            assertEquals("public.ha_live", record.get("table").asText());
            assertEquals("public.ha_rec", record.get("recovered").asText());
            assertEquals("missing-rows", record.get("mode").asText());
            assertTrue(record.get("summary").asText().contains("inserts 3 missing row(s) (key digest "),
                    record.toString());
            assertEquals("applied", new ObjectMapper().readTree(rs.getString(5)).get("outcome").asText());
        }

        // The same text again: nothing is missing any more, so it aborts, and nothing is recorded.
        SQLException e = assertThrows(SQLException.class, () -> run(db.connect(), text));
        assertTrue(e.getMessage().contains("expected to insert 3 row(s)"), e.getMessage());
        assertEquals(before + 1, AuditChainCheck.assertValid(db));
    }

    @Test
    void withoutTheAuditTableOrTheRightToWriteItTheCopybackRunsAndSaysItIsNotRecorded(PgDatabase db)
            throws Exception {
        stateSchema(db);
        tables(db, "hn_live", "hn_rec");
        try (Connection c = Database.prepare(db.connect())) {
            List<String> notices = run(db.connect(), script(c, "hn_live", "hn_rec").text("no_such_schema"));
            assertEquals(List.of("backstop: no audit table \"no_such_schema\".\"audit\": this copyback is not recorded"),
                    notices);
        }
        assertEquals(content(db, "hn_rec"), content(db, "hn_live"));

        tables(db, "hp_live", "hp_rec");
        db.createRole("copyback_operator", "op-secret-1", "LOGIN");
        db.execute("GRANT ALL ON hp_live, hp_rec TO copyback_operator");
        int before = AuditChainCheck.assertValid(db);
        PgDatabase operator = db.as("copyback_operator", "op-secret-1");
        try (Connection c = Database.prepare(operator.connect())) {
            List<String> notices = run(operator.connect(), script(c, "hp_live", "hp_rec").text("backstop"));
            assertEquals(List.of("backstop: copyback_operator may not write to \"backstop\".\"audit\": this copyback is"
                    + " not recorded"), notices);
        }
        assertEquals(content(db, "hp_rec"), content(db, "hp_live"));
        assertEquals(before, AuditChainCheck.assertValid(db));
    }

    /** Names with a quote, a percent sign and a space: the printed SQL, its checks and its record all hold. */
    @Test
    void oddTableNamesArePrintedRecordedAndCheckedSafely(PgDatabase db) throws Exception {
        stateSchema(db);
        String live = "odd ' %s name";
        String rec = live + " rec";
        tables(db, Sql.ident(live), Sql.ident(rec));
        int before = AuditChainCheck.assertValid(db);
        try (Connection c = Database.prepare(db.connect())) {
            Copyback.Script script = script(c, live, rec);
            String text = script.text("backstop");
            run(db.connect(), text);
            assertEquals(content(db, Sql.ident(rec)), content(db, Sql.ident(live)));
            assertEquals(before + 1, AuditChainCheck.assertValid(db));
            JsonNode record = new ObjectMapper().readTree(String.valueOf(db.queryValue(
                    "SELECT record FROM backstop.audit ORDER BY seq DESC LIMIT 1")));
            assertEquals("public." + live, record.get("table").asText());
            assertEquals("public." + rec, record.get("recovered").asText());
            // Run again, it aborts on its own check, whose message names the table as it is.
            SQLException e = assertThrows(SQLException.class, () -> run(db.connect(), text));
            assertTrue(e.getMessage().contains("expected to insert 3 row(s) of public." + live + " with key digest "),
                    e.getMessage());
        }
        assertEquals(before + 1, AuditChainCheck.assertValid(db));
    }

    private static void stateSchema(PgDatabase db) throws Exception {
        if (db.queryValue("SELECT to_regclass('backstop.audit')") == null) {
            GatewayStateSchema.create(db);
        }
    }

    /** A recovered table and its live table, which lost rows 1..3. */
    private static void tables(PgDatabase db, String live, String rec) throws SQLException {
        db.execute("CREATE TABLE " + rec + " (id bigint PRIMARY KEY, v text)",
                "INSERT INTO " + rec + " SELECT g, 'v' || g FROM generate_series(1, 50) g",
                "CREATE TABLE " + live + " (id bigint PRIMARY KEY, v text)",
                "INSERT INTO " + live + " SELECT * FROM " + rec + " WHERE id > 3");
    }

    private static Copyback.Script script(Connection c, String live, String rec) throws SQLException {
        return Copyback.script(c, new TableComparison(Relation.describe(c, "public", live).orElseThrow(),
                Relation.describe(c, "public", rec).orElseThrow()), Copyback.Mode.MISSING_ROWS);
    }

    /** Runs the whole text in one execute, as pasted; returns the NOTICEs it raised. */
    private static List<String> run(Connection c, String text) throws SQLException {
        try (c; Statement s = c.createStatement()) {
            s.execute(text);
            List<String> notices = new ArrayList<>();
            for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                notices.add(w.getMessage());
            }
            return notices;
        }
    }

    private static String content(PgDatabase db, String table) throws SQLException {
        return String.valueOf(db.queryValue("SELECT count(*) || ':' || md5(string_agg(ROW(t.*)::text, ',' ORDER BY id))"
                + " FROM " + table + " t"));
    }
}
