package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.GatewayStateSchema;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drill is recorded in the gateway's hash-chained audit (the gateway's own migrations create the table): the record
 * continues the chain an earlier writer left, by the chain's documented formula; a record that cannot be written
 * fails the drill; a database without the gateway's state schema gets a drill without a record, said so.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class DrillAuditIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GENESIS = "0".repeat(64);

    @TempDir
    Path dir;

    @Test
    void drillsAreRecordedInTheAuditChain(PgDatabase db, S3Endpoint s3) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "drillaudit")) {
            Orders.create(db, 100);
            GatewayStateSchema.create(db);
            // A record another writer (the gateway) left: the drill's must follow it.
            String first = "{\"id\":\"00000000-0000-0000-0000-000000000001\",\"sql\":\"SELECT 1\"}";
            db.execute("INSERT INTO backstop.audit (seq, id, ts, principal, record, prev_hash, row_hash) VALUES (1,"
                    + " '00000000-0000-0000-0000-000000000001', now(), 'agent-1', '" + first + "', '" + GENESIS + "', '"
                    + sha256(GENESIS + "\n" + first) + "')");
            cap.start(List.of("public.orders"), Map.of());
            cap.flush();

            CliRun drill = cap.run("drill", "orders", "--json");
            assertEquals(0, drill.exitCode(), drill.toString());
            JsonNode result = JSON.readTree(drill.out());
            assertEquals(2, result.get("audit_seq").asLong(), drill.out());

            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT seq, id::text, principal, decision, outcome, record, prev_hash,"
                         + " row_hash, completion, completion_hash FROM backstop.audit ORDER BY seq")) {
                String prev = GENESIS;
                int rows = 0;
                while (rs.next()) {
                    rows++;
                    assertEquals(prev, rs.getString(7), "prev_hash of seq " + rs.getLong(1));
                    assertEquals(sha256(prev + "\n" + rs.getString(6)), rs.getString(8), "row_hash of seq " + rs.getLong(1));
                    if (rs.getString(9) != null) {
                        assertEquals(sha256(rs.getString(8) + "\n" + rs.getString(9)), rs.getString(10));
                    }
                    prev = rs.getString(8);
                    if (rs.getLong(1) == 2) {
                        assertEquals("restore-tool", rs.getString(3));
                        assertEquals("drill", rs.getString(4));
                        assertEquals("passed", rs.getString(5));
                        JsonNode record = JSON.readTree(rs.getString(6));
                        assertEquals(rs.getString(2), record.get("id").asText());
                        assertEquals("restore_drill", record.get("event").asText());
                        assertEquals("public.orders", record.get("tables").get(0).get("table").asText());
                        assertEquals(100, record.get("tables").get(0).get("rows").asLong());
                        assertEquals("passed", JSON.readTree(rs.getString(9)).get("outcome").asText());
                    }
                }
                assertEquals(2, rows);
            }

            // The record cannot be written (the test's user is a superuser, so a constraint refuses it rather than a
            // missing privilege): the drill fails, and says why.
            db.execute("ALTER TABLE backstop.audit ADD CONSTRAINT test_audit_full CHECK (seq < 3)");
            CliRun refused = cap.run("drill", "orders", "--json");
            assertEquals(1, refused.exitCode(), refused.toString());
            JsonNode r = JSON.readTree(refused.out());
            assertFalse(r.get("ok").asBoolean());
            assertTrue(r.get("tables").get(1).get("problems").get(0).asText()
                    .startsWith("audit record not written: ERROR: new row for relation \"audit\" violates check constraint"),
                    refused.out());
            assertEquals(2L, db.queryValue("SELECT count(*) FROM backstop.audit"));

            // No gateway state schema in this database: nothing to record in, and the result says so.
            db.execute("DROP SCHEMA backstop CASCADE");
            CliRun standalone = cap.run("drill", "orders", "--json");
            assertEquals(0, standalone.exitCode(), standalone.toString());
            assertEquals("not recorded: this database has no audit table backstop.audit (no gateway state schema)",
                    JSON.readTree(standalone.out()).get("audit").asText());
        }
    }

    /** The chain's documented formula, computed independently of the tool: sha256 of the UTF-8 text, hex. */
    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
