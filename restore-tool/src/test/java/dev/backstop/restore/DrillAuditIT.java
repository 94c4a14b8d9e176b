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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
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
                    + AuditChainCheck.sha256(GENESIS + "\n" + first) + "')");
            cap.start(List.of("public.orders"), Map.of());
            cap.flush();

            CliRun drill = cap.run("drill", "orders", "--json");
            assertEquals(0, drill.exitCode(), drill.toString());
            JsonNode result = JSON.readTree(drill.out());
            assertEquals(2, result.get("audit_seq").asLong(), drill.out());

            assertEquals(2, AuditChainCheck.assertValid(db));
            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id::text, principal, decision, outcome, record, completion"
                         + " FROM backstop.audit WHERE seq = 2")) {
                assertTrue(rs.next());
                assertEquals("restore-tool", rs.getString(2));
                assertEquals("drill", rs.getString(3));
                assertEquals("passed", rs.getString(4));
                JsonNode record = JSON.readTree(rs.getString(5));
                assertEquals(rs.getString(1), record.get("id").asText());
                assertEquals("restore_drill", record.get("event").asText());
                assertEquals("public.orders", record.get("tables").get(0).get("table").asText());
                assertEquals(100, record.get("tables").get(0).get("rows").asLong());
                assertEquals("passed", JSON.readTree(rs.getString(6)).get("outcome").asText());
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
}
