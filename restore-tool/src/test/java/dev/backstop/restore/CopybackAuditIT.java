package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.testsupport.CommitDroppingProxy;
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
 * {@code copyback --apply} writes to a live table outside the gateway, so it is audited as the gateway audits: its
 * record is committed before the script runs (no record, no copyback) and completed with the statements that ran.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class CopybackAuditIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** 50 orders captured and restored into {@code into}; then 5 of them deleted from the live table. */
    private static void restoredThenFiveRowsDeleted(PgDatabase db, Capture cap, String into) throws Exception {
        Orders.create(db, 50);
        db.execute("DROP SCHEMA IF EXISTS backstop CASCADE");
        GatewayStateSchema.create(db);
        cap.start(List.of("public.orders"), Map.of());
        String lsn = cap.flush().lsn().toString();
        CliRun restore = cap.run("restore", "orders", "--lsn", lsn, "--into", into, "--mode", "missing-rows");
        assertEquals(0, restore.exitCode(), restore.toString());
        db.execute("DELETE FROM orders WHERE id <= 5");
    }

    @Test
    void copybackApplyIsRecordedBeforeItRuns(PgDatabase db, S3Endpoint s3) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "cbaudit")) {
            restoredThenFiveRowsDeleted(db, cap, "orders_rec");

            CliRun applied = cap.run("copyback", "orders", "orders_rec", "--mode", "missing-rows", "--apply");
            assertEquals(0, applied.exitCode(), applied.toString());
            assertEquals(50L, db.queryValue("SELECT count(*) FROM orders"));
            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT principal, decision, outcome, record, row_hash, completion,"
                         + " completion_hash FROM backstop.audit WHERE decision = 'copyback'")) {
                assertTrue(rs.next());
                assertEquals("restore-tool", rs.getString(1));
                assertEquals("copyback", rs.getString(2));
                assertEquals("applied", rs.getString(3));
                JsonNode record = JSON.readTree(rs.getString(4));
                assertEquals("copyback", record.get("event").asText());
                assertEquals("public.orders", record.get("table").asText());
                assertEquals("public.orders_rec", record.get("recovered").asText());
                assertEquals("missing-rows", record.get("mode").asText());
                JsonNode completion = JSON.readTree(rs.getString(6));
                assertEquals("applied", completion.get("outcome").asText());
                assertTrue(completion.get("summary").asText().contains("inserts 5 missing row(s)"), rs.getString(6));
                assertTrue(completion.get("statements").size() > 0, rs.getString(6));
                assertTrue(!rs.next(), "one record");
            }
            // The completion hash PostgreSQL computed follows the chain's documented formula.
            assertEquals(2, AuditChainCheck.assertValid(db)); // the restore's record, then the copyback's

            // No record, no copyback.
            db.execute("DELETE FROM orders WHERE id <= 5",
                    "ALTER TABLE backstop.audit ADD CONSTRAINT test_audit_full CHECK (seq < 3)");
            CliRun refused = cap.run("copyback", "orders", "orders_rec", "--mode", "missing-rows", "--apply");
            assertEquals(1, refused.exitCode(), refused.toString());
            assertTrue(refused.err().contains("the audit record of this copyback could not be written, so nothing was"
                    + " done"), refused.toString());
            assertEquals(45L, db.queryValue("SELECT count(*) FROM orders"));

            // No gateway state schema: the copyback runs and says it was not recorded.
            db.execute("DROP SCHEMA backstop CASCADE");
            CliRun unrecorded = cap.run("copyback", "orders", "orders_rec", "--mode", "missing-rows", "--apply");
            assertEquals(0, unrecorded.exitCode(), unrecorded.toString());
            assertTrue(unrecorded.out().contains("Not recorded in the audit: this database has no audit table"
                    + " backstop.audit (no gateway state schema)."), unrecorded.out());
            assertEquals(50L, db.queryValue("SELECT count(*) FROM orders"));
            assertNull(db.queryValue("SELECT to_regclass('backstop.audit')"));
        }
    }

    @Test
    void aCopybackWhoseCommitLosesItsConnectionSaysItMayHaveBeenAppliedAndIsSafeToRunAgain(PgDatabase db, S3Endpoint s3)
            throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "cblost");
             CommitDroppingProxy proxy = new CommitDroppingProxy(db.host(), db.port(), "orders_lost")) {
            restoredThenFiveRowsDeleted(db, cap, "orders_lost");

            // The copyback's COMMIT reaches the server, its answer never reaches the tool.
            cap.databaseUrl = proxy.jdbcUrl(db.name());
            CliRun lost = cap.run("copyback", "orders", "orders_lost", "--mode", "missing-rows", "--apply");
            assertEquals(1, proxy.dropped(), lost.toString());
            assertEquals(ExitCode.DATABASE, lost.exitCode(), lost.toString());
            assertEquals(50L, db.queryValue("SELECT count(*) FROM orders"), "the server did commit the copyback");
            assertTrue(lost.err().contains("copyback of public.orders from public.orders_lost: the connection broke"
                    + " while COMMIT ran (") && lost.err().contains("so it may have been applied or not. See which with"
                    + " `backstop restore diff public.orders orders_lost` before anything else. `--apply` measures the"
                    + " table again each time, so running it again applies only what is still missing or different"), lost.err());
            assertFalse(lost.err().contains("nothing was changed"), lost.err());
            // Its audit record is completed as it is: outcome unknown (on a new connection).
            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT outcome FROM backstop.audit WHERE decision = 'copyback'")) {
                assertTrue(rs.next());
                assertEquals("outcome_unknown", rs.getString(1));
                assertFalse(rs.next());
            }

            // Run again: measured again, nothing is missing any more, nothing changes.
            cap.databaseUrl = null;
            CliRun again = cap.run("copyback", "orders", "orders_lost", "--mode", "missing-rows", "--apply");
            assertEquals(0, again.exitCode(), again.toString());
            assertTrue(again.out().contains("inserts 0 missing row(s)"), again.out());
            assertEquals(50L, db.queryValue("SELECT count(*) FROM orders"));
        } finally {
            db.execute("DROP SCHEMA IF EXISTS backstop CASCADE", "DROP TABLE IF EXISTS orders_lost");
        }
    }
}
