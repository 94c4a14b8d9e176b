package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Quarantining a recovery point and lifting the quarantine are recorded in the gateway's audit chain: the lifting
 * (trust given back) before the marker goes, and never without its record.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class QuarantineAuditIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void quarantineAndItsLiftingAreAudited(PgDatabase db, S3Endpoint s3) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "qaudit")) {
            Orders.create(db, 10);
            GatewayStateSchema.create(db);
            cap.start(List.of("public.orders"), Map.of());
            String point = cap.flush().manifests().values().iterator().next().manifest().recoveryPointId();

            CliRun q = cap.run("quarantine", "orders", point, "--reason", "rows looked odd", "--by", "alice");
            assertEquals(0, q.exitCode(), q.toString());
            CliRun lift = cap.run("unquarantine", "orders", point, "--reason", "checked: fine", "--by", "bob");
            assertEquals(0, lift.exitCode(), lift.toString());

            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT principal, decision, outcome, record, completion FROM backstop.audit"
                         + " ORDER BY seq")) {
                assertTrue(rs.next());
                assertEquals("restore-tool", rs.getString(1));
                assertEquals("quarantine", rs.getString(2));
                assertEquals("quarantined", rs.getString(3));
                JsonNode quarantine = JSON.readTree(rs.getString(4));
                assertEquals("public.orders", quarantine.get("table").asText());
                assertEquals(point, quarantine.get("recovery_point_id").asText());
                assertEquals("rows looked odd", quarantine.get("reason").asText());
                assertEquals("alice", quarantine.get("by").asText());
                assertTrue(rs.next());
                assertEquals("unquarantine", rs.getString(2));
                assertEquals("lifted", rs.getString(3));
                assertEquals("bob", JSON.readTree(rs.getString(4)).get("by").asText());
                assertEquals("lifted", JSON.readTree(rs.getString(5)).get("outcome").asText());
                assertTrue(!rs.next());
            }
            assertEquals(2, AuditChainCheck.assertValid(db)); // the lifting: written, then completed

            // The record cannot be written: the quarantine stays.
            cap.run("quarantine", "orders", point, "--reason", "again", "--by", "alice");
            db.execute("ALTER TABLE backstop.audit ADD CONSTRAINT test_audit_full CHECK (seq < 4)");
            CliRun refused = cap.run("unquarantine", "orders", point, "--reason", "x", "--by", "bob");
            assertEquals(1, refused.exitCode(), refused.toString());
            assertTrue(refused.err().contains("the audit record of this unquarantine could not be written, so nothing"
                    + " was done"), refused.err());
            CliRun show = cap.run("verify", "orders");
            assertTrue(show.out().contains("is quarantined"), show.out());
        }
    }
}
