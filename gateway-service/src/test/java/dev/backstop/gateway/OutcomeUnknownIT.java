package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backstop.gateway.GatewayFixture.Resp;
import dev.backstop.testsupport.CommitDroppingProxy;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The connection to PostgreSQL breaks after the server committed and before the gateway heard so (a proxy drops it
 * at the marked statement's COMMIT). The statement did commit: the gateway must say "outcome unknown", never
 * "failed" (which means rolled back), record it so in the audit and the approval, and never run it again.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class OutcomeUnknownIT {
    static final String MARK = "/* drop-at-commit */";
    static final String POLICY = """
            {"require_approval_for_risks": ["MEDIUM", "HIGH", "IMPACT_CRITICAL", "CRITICAL"],
             "require_recovery_for_critical": false,
             "approval_ttl_seconds": 600}
            """;
    static CommitDroppingProxy proxy;
    static GatewayFixture gw;

    @BeforeAll
    static void start(PgDatabase db) throws Exception {
        proxy = new CommitDroppingProxy(db.host(), db.port(), MARK);
        gw = new GatewayFixture(db, "gw_outcome_it");
        gw.databaseUrl = proxy.jdbcUrl(db.name());
        gw.sql("CREATE TABLE ledger (id int PRIMARY KEY, n int)", "INSERT INTO ledger VALUES (1, 0)");
        gw.start(POLICY, null);
    }

    @AfterAll
    static void stop() {
        gw.close();
        proxy.close();
    }

    @Test
    void aWriteWhoseCommitLosesItsConnectionIsOutcomeUnknownAndItsRecordSaysSo() throws Exception {
        int before = proxy.dropped();
        Resp r = gw.query(GatewayFixture.AGENT, "INSERT " + MARK + " INTO ledger VALUES (2, 0)");
        assertEquals(500, r.status(), r.raw());
        assertEquals("outcome_unknown", r.code(), r.raw());
        assertEquals(before + 1, proxy.dropped());
        assertEquals(1, gw.count("SELECT count(*) FROM ledger WHERE id = 2"), "the server did commit it");

        gw.awaitAuditComplete();
        JsonNode completion = completionOf("INSERT " + MARK);
        assertEquals("outcome_unknown", completion.get("outcome").asText(), completion.toString());
        assertEquals("outcome_unknown", completion.get("error_code").asText(), completion.toString());
        assertEquals(500, completion.get("status").asInt());
        assertEquals("LOW", completion.get("risk").asText());

        // The broken connection is not reused: the next write runs normally.
        Resp next = gw.query(GatewayFixture.AGENT, "INSERT INTO ledger VALUES (3, 0)");
        assertEquals(200, next.status(), next.raw());
    }

    @Test
    void anApprovedStatementWhoseCommitLosesItsConnectionIsNeitherFailedNorRunAgain() throws Exception {
        Resp held = gw.query(GatewayFixture.AGENT, "UPDATE " + MARK + " ledger SET n = n + 100 WHERE id = 1");
        assertEquals(202, held.status(), held.raw());
        String id = held.body().get("approval_id").asText();

        Resp approve = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/approve", "{\"comment\":\"ok\"}");
        assertEquals(500, approve.status(), approve.raw());
        assertEquals("outcome_unknown", approve.code(), approve.raw());
        assertEquals(100, gw.count("SELECT n FROM ledger WHERE id = 1"), "the server did commit it");

        JsonNode a = gw.get(GatewayFixture.OPERATOR, "/v1/approvals/" + id).body();
        assertEquals("outcome_unknown", a.get("status").asText(), a.toString());
        assertEquals("outcome_unknown", a.get("error").get("code").asText(), a.toString());
        assertTrue(gw.get(GatewayFixture.OPERATOR, "/v1/approvals?status=outcome_unknown").raw().contains(id));

        // The approval names its execution's audit record, which holds the outcome (restore --before-audit follows it).
        gw.awaitAuditComplete();
        String execution = a.get("error").get("audit_id").asText();
        JsonNode c = gw.auditRecords().stream().filter(n -> execution.equals(n.get("record").get("id").asText()))
                .findFirst().orElseThrow().get("completion");
        assertEquals("outcome_unknown", c.get("outcome").asText(), c.toString());
        assertEquals(id, c.get("approval_id").asText());
        assertEquals("op-1", c.get("approver").asText());

        // Terminal: a second approval cannot run it again.
        Resp again = gw.post(GatewayFixture.OPERATOR2, "/v1/approvals/" + id + "/approve", "{}");
        assertEquals(409, again.status(), again.raw());
        assertEquals("approval_not_pending", again.code());
        assertEquals(100, gw.count("SELECT n FROM ledger WHERE id = 1"));
    }

    private static JsonNode completionOf(String sqlStart) throws Exception {
        return gw.auditRecords().stream()
                .filter(n -> n.get("record").path("sql").asText("").startsWith(sqlStart))
                .reduce((x, y) -> y).orElseThrow().get("completion");
    }
}
