package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backstop.gateway.GatewayFixture.Resp;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** One audit record per authenticated request, written before execution, hash-chained, fail-closed. */
@ExtendWith(EmbeddedPostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditIT {
    static GatewayFixture gw;

    @BeforeAll
    static void start(PgDatabase db) throws Exception {
        gw = new GatewayFixture(db, "gw_audit_it");
        gw.sql("CREATE TABLE t (id int)", "INSERT INTO t VALUES (1), (2)");
        gw.start("{\"require_recovery_for_critical\": false}", "maxRequestBytes: 2048");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    @Order(1)
    void everyAuthenticatedRequestIsAuditedExactlyOnce() throws Exception {
        long before = gw.auditCount();
        List<Resp> authenticated = List.of(
                gw.query(GatewayFixture.AGENT, "SELECT * FROM t"),
                gw.query(GatewayFixture.AGENT, "DELETE FROM t"),                     // approval_required
                gw.query(GatewayFixture.AGENT, "DROP DATABASE postgres"),            // blocked
                gw.query(GatewayFixture.AGENT, "SELECT nope FROM t"),                // query_failed
                gw.post(GatewayFixture.AGENT, "/v1/query", "{\"sql\":"),             // malformed_json
                gw.post(GatewayFixture.AGENT, "/v1/query", "{}"),                    // missing_sql
                gw.get(GatewayFixture.AGENT, "/v1/audit"),                           // forbidden
                gw.get(GatewayFixture.AGENT, "/v1/no-such-thing"),                   // not_found
                gw.query(GatewayFixture.AGENT, "SELECT '" + "x".repeat(3000) + "'"), // payload_too_large
                gw.post(GatewayFixture.AGENT, "/v1/classify", "{\"sql\":\"SELECT 1\"}"),
                gw.query(GatewayFixture.AGENT, "CREATE ROLE leaky LOGIN PASSWORD 'hunter2'"));
        gw.query(null, "SELECT 1");        // not authenticated: not audited
        gw.query("bad-token", "SELECT 1"); // not authenticated: not audited
        assertEquals(List.of(200, 202, 403, 400, 400, 422, 403, 404, 413, 200, 202),
                authenticated.stream().map(Resp::status).toList());
        assertEquals(before + authenticated.size(), gw.auditCount());
        gw.awaitAuditComplete();

        List<JsonNode> records = gw.auditRecords();
        JsonNode select = records.get((int) before);
        assertEquals("agent-1", select.get("record").get("principal").asText());
        assertEquals("SELECT * FROM t", select.get("record").get("sql").asText());
        assertEquals("execute", select.get("record").get("decision").asText());
        assertEquals("executed", select.get("completion").get("outcome").asText());
        assertEquals(2, select.get("completion").get("row_count").asLong());
        JsonNode failed = records.get((int) before + 3);
        assertEquals("query_failed", failed.get("completion").get("error_code").asText());
        assertEquals("42703", failed.get("completion").get("sqlstate").asText());
        JsonNode tooLarge = records.get((int) before + 8);
        assertEquals("payload_too_large", tooLarge.get("completion").get("error_code").asText());
        JsonNode secret = records.get(records.size() - 1);
        assertEquals("CREATE ROLE leaky LOGIN PASSWORD '***'", secret.get("record").get("sql").asText());
        assertFalse(gw.get(GatewayFixture.OPERATOR, "/v1/approvals").raw().contains("hunter2"));
    }

    @Test
    @Order(2)
    void hashChainVerifiesAndDetectsTampering() throws Exception {
        gw.awaitAuditComplete();
        Resp ok = gw.get(GatewayFixture.OPERATOR, "/v1/audit/verify");
        assertEquals(200, ok.status(), ok.raw());
        assertTrue(ok.body().get("ok").asBoolean(), ok.raw());
        assertTrue(ok.body().get("rows").asLong() >= 11);

        Resp list = gw.get(GatewayFixture.OPERATOR, "/v1/audit?principal=agent-1&outcome=blocked");
        assertEquals(200, list.status(), list.raw());
        assertEquals("DROP DATABASE postgres", list.body().get("records").get(0).get("record").get("sql").asText());

        // The table refuses updates and deletes even from its owner; a superuser who disables the
        // trigger and edits a row is caught by verification.
        var delete = assertThrowsSql(() -> gw.sql("DELETE FROM backstop.audit"));
        assertTrue(delete.contains("append-only"), delete);
        gw.admin.execute("ALTER TABLE backstop.audit DISABLE TRIGGER audit_no_update_delete",
                "UPDATE backstop.audit SET record = replace(record, 'SELECT * FROM t', 'SELECT 1') WHERE seq = 1",
                "ALTER TABLE backstop.audit ENABLE TRIGGER audit_no_update_delete");
        Resp bad = gw.get(GatewayFixture.OPERATOR, "/v1/audit/verify");
        assertFalse(bad.body().get("ok").asBoolean(), bad.raw());
        assertEquals(1, bad.body().get("first_bad_seq").asLong(), bad.raw());
        assertEquals("row_hash does not match the record", bad.body().get("problem").asText());
        gw.admin.execute("ALTER TABLE backstop.audit DISABLE TRIGGER audit_no_update_delete",
                "UPDATE backstop.audit SET record = replace(record, 'SELECT 1', 'SELECT * FROM t') WHERE seq = 1",
                "ALTER TABLE backstop.audit ENABLE TRIGGER audit_no_update_delete");
        assertTrue(gw.get(GatewayFixture.OPERATOR, "/v1/audit/verify").body().get("ok").asBoolean());
    }

    @Test
    @Order(3)
    void auditUnavailableMeansNothingExecutes() throws Exception {
        gw.admin.execute("ALTER TABLE backstop.audit RENAME TO audit_away");
        try {
            Resp r = gw.query(GatewayFixture.AGENT, "INSERT INTO t VALUES (99)");
            assertEquals(503, r.status(), r.raw());
            assertEquals("audit_unavailable", r.code());
            Resp read = gw.query(GatewayFixture.AGENT, "SELECT * FROM t");
            assertEquals(503, read.status(), read.raw());
            Resp get = gw.get(GatewayFixture.OPERATOR, "/v1/posture"); // even reads are not served unaudited
            assertEquals(503, get.status(), get.raw());
            assertEquals(0, gw.count("SELECT count(*) FROM t WHERE id = 99"));
        } finally {
            gw.admin.execute("ALTER TABLE backstop.audit_away RENAME TO audit");
        }
        assertEquals(200, gw.query(GatewayFixture.AGENT, "INSERT INTO t VALUES (99)").status());
        Resp metrics = gw.get(GatewayFixture.OPERATOR, "/metrics");
        assertTrue(metrics.raw().contains("backstop_audit_failures_total 3.0"),
                metrics.raw().lines().filter(l -> l.startsWith("backstop_")).toList().toString());
        // Audit is back, but it failed within the last minute: the posture says so.
        Resp posture = gw.get(GatewayFixture.OPERATOR, "/v1/posture");
        assertEquals("degraded", posture.body().get("state").asText(), posture.raw());
        assertTrue(posture.body().get("reasons").toString().contains("audit_failing"), posture.raw());
        assertEquals(false, posture.body().get("audit").get("healthy").asBoolean());
        assertEquals(3, posture.body().get("audit").get("failures_total").asLong());
        gw.awaitAuditComplete();
        assertTrue(gw.get(GatewayFixture.OPERATOR, "/v1/audit/verify").body().get("ok").asBoolean());
    }

    interface SqlAction {
        void run() throws Exception;
    }

    private static String assertThrowsSql(SqlAction a) {
        try {
            a.run();
        } catch (Exception e) {
            return e.getMessage();
        }
        throw new AssertionError("expected an SQL error");
    }
}
