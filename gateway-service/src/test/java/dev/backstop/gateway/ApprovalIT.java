package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backstop.gateway.GatewayFixture.Resp;
import dev.backstop.gateway.auth.TokenAuthenticator;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The approval lifecycle. Every write needs approval here (LOW and up), so INSERTs count executions. */
@ExtendWith(EmbeddedPostgresExtension.class)
class ApprovalIT {
    static final String POLICY = """
            {"require_approval_for_risks": ["LOW", "MEDIUM", "HIGH", "IMPACT_CRITICAL", "CRITICAL"],
             "require_recovery_for_critical": false,
             "approval_ttl_seconds": 600,
             "max_blocked_attempts_per_window": 1000}
            """;
    static GatewayFixture gw;

    @BeforeAll
    static void start(PgDatabase db) throws Exception {
        gw = new GatewayFixture(db, "gw_approval_it");
        gw.sql("CREATE TABLE log (n int)", "CREATE TABLE victims (id int PRIMARY KEY)",
                "INSERT INTO victims SELECT generate_series(1, 20)");
        gw.start(POLICY, null);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static String request(String sql) throws Exception {
        Resp r = gw.query(GatewayFixture.AGENT, sql);
        assertEquals(202, r.status(), r.raw());
        return r.body().get("approval_id").asText();
    }

    @Test
    void anApprovalWhoseSqlWasRewrittenInTheStateSchemaNeverRuns() throws Exception {
        // Text and hash rewritten together: the approvals row is consistent, but the request's
        // hash-chained audit record still names the agent's own SQL.
        String rewritten = "DELETE FROM victims";
        String id = request("INSERT INTO log VALUES (77)");
        gw.admin.execute("UPDATE backstop.approvals SET sql_text = '" + rewritten + "', sql_scrubbed = '" + rewritten
                + "', sql_sha256 = '" + TokenAuthenticator.sha256Hex(rewritten) + "' WHERE id = '" + id + "'");
        Resp r = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/approve", "{\"comment\":\"ok\"}");
        assertEquals(403, r.status(), r.raw());
        assertTrue(r.body().get("reasons").toString().contains("sql_hash_mismatch"), r.raw());
        assertEquals(20, gw.count("SELECT count(*) FROM victims"));
        assertEquals("blocked", gw.get(GatewayFixture.OPERATOR, "/v1/approvals/" + id).body().get("status").asText());

        // All three rewritten to another request's: SQL, hash and the pointer to that request's audit record.
        Resp x = gw.query(GatewayFixture.AGENT, rewritten);
        assertEquals(202, x.status(), x.raw());
        String idY = request("INSERT INTO log VALUES (79)");
        gw.admin.execute("UPDATE backstop.approvals SET sql_text = '" + rewritten + "', sql_scrubbed = '" + rewritten
                + "', sql_sha256 = '" + TokenAuthenticator.sha256Hex(rewritten) + "', request_audit_id = '"
                + x.body().get("audit_id").asText() + "' WHERE id = '" + idY + "'");
        Resp y = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + idY + "/approve", "{\"comment\":\"ok\"}");
        assertEquals(403, y.status(), y.raw());
        assertTrue(y.body().get("reasons").toString().contains("sql_hash_mismatch"), y.raw());
        assertEquals(20, gw.count("SELECT count(*) FROM victims"));

        // Text alone rewritten: its own hash no longer matches.
        String id2 = request("INSERT INTO log VALUES (78)");
        gw.admin.execute("UPDATE backstop.approvals SET sql_text = '" + rewritten + "' WHERE id = '" + id2 + "'");
        Resp r2 = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id2 + "/approve", "{\"comment\":\"ok\"}");
        assertEquals(403, r2.status(), r2.raw());
        assertEquals(20, gw.count("SELECT count(*) FROM victims"));
        assertEquals(0, gw.count("SELECT count(*) FROM log WHERE n IN (77, 78)"));
    }

    @Test
    void approveExecutesOnceAndShowsTheResult() throws Exception {
        String id = request("INSERT INTO log VALUES (1)");
        Resp pending = gw.get(GatewayFixture.OPERATOR, "/v1/approvals/" + id);
        assertEquals("pending", pending.body().get("status").asText());
        assertEquals("INSERT INTO log VALUES (1)", pending.body().get("sql").asText());
        assertEquals("agent-1", pending.body().get("requested_by").asText());
        assertTrue(gw.get(GatewayFixture.OPERATOR, "/v1/approvals?status=pending").raw().contains(id));

        Resp ok = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/approve", "{\"comment\":\"fine\"}");
        assertEquals(200, ok.status(), ok.raw());
        assertEquals("executed", ok.body().get("status").asText());
        assertEquals(1, ok.body().get("row_count").asLong());
        assertEquals(1, gw.count("SELECT count(*) FROM log WHERE n = 1"));

        Resp after = gw.get(GatewayFixture.AGENT, "/v1/approvals/" + id); // the requester may read its own
        assertEquals("executed", after.body().get("status").asText(), after.raw());
        assertEquals("op-1", after.body().get("decided_by").asText());
        assertEquals("fine", after.body().get("decision_comment").asText());
        assertEquals("executed", after.body().get("result").get("status").asText());

        Resp again = gw.post(GatewayFixture.OPERATOR2, "/v1/approvals/" + id + "/approve", "{}");
        assertEquals(409, again.status(), again.raw());
        assertEquals("approval_not_pending", again.code());
        assertEquals(1, gw.count("SELECT count(*) FROM log WHERE n = 1"));
    }

    @Test
    void agentsCanNeverApproveAndNobodyApprovesTheirOwn() throws Exception {
        String id = request("INSERT INTO log VALUES (2)");
        Resp agent2 = gw.post(GatewayFixture.AGENT2, "/v1/approvals/" + id + "/approve", "{}"); // has approval:*
        assertEquals(403, agent2.status(), agent2.raw());
        assertEquals("forbidden", agent2.code());
        Resp agent1 = gw.post(GatewayFixture.AGENT, "/v1/approvals/" + id + "/approve", "{}");
        assertEquals(403, agent1.status(), agent1.raw());

        Resp own = gw.query(GatewayFixture.OPERATOR, "INSERT INTO log VALUES (3)");
        assertEquals(202, own.status(), own.raw());
        String ownId = own.body().get("approval_id").asText();
        Resp self = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + ownId + "/approve", "{}");
        assertEquals(403, self.status(), self.raw());
        assertEquals("self_approval_forbidden", self.code());
        assertEquals(200, gw.post(GatewayFixture.OPERATOR2, "/v1/approvals/" + ownId + "/approve", "{}").status());
        assertEquals(0, gw.count("SELECT count(*) FROM log WHERE n = 2"));
        assertEquals(1, gw.count("SELECT count(*) FROM log WHERE n = 3"));
    }

    @Test
    void denyIsFinal() throws Exception {
        String id = request("INSERT INTO log VALUES (4)");
        Resp deny = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/deny", "{\"comment\":\"no\"}");
        assertEquals(200, deny.status(), deny.raw());
        assertEquals("denied", deny.body().get("status").asText());
        Resp approve = gw.post(GatewayFixture.OPERATOR2, "/v1/approvals/" + id + "/approve", "{}");
        assertEquals(409, approve.status());
        assertEquals("approval_not_pending", approve.code());
        assertEquals(0, gw.count("SELECT count(*) FROM log WHERE n = 4"));
    }

    @Test
    void expiredApprovalsCannotRun() throws Exception {
        String id = request("INSERT INTO log VALUES (5)");
        gw.clock.advance(Duration.ofSeconds(601));
        Resp approve = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/approve", "{}");
        assertEquals(409, approve.status(), approve.raw());
        assertEquals("approval_expired", approve.code());
        assertEquals("expired", gw.get(GatewayFixture.OPERATOR, "/v1/approvals/" + id).body().get("status").asText());
        assertEquals(0, gw.count("SELECT count(*) FROM log WHERE n = 5"));
    }

    @Test
    void anApprovalWhoseOutcomeWasNeverRecordedIsCountedAndSettledOnceOverdue() throws Exception {
        // What a gateway that stopped between taking an approval and recording its outcome leaves behind.
        Duration overdue = new GatewaySettings().approvalOutcomeOverdueAfter();
        assertEquals(Duration.ofMinutes(10), overdue); // defaults: 2 x (2 + 10 + 35 + 30 s) is less than 10 min
        long before = approvalsOutcomeNotRecorded();
        String stale = request("INSERT INTO log VALUES (8)");
        String recent = request("INSERT INTO log VALUES (9)");
        markApprovedAt(stale, gw.clock.instant().minus(overdue).minusSeconds(1));
        markApprovedAt(recent, gw.clock.instant().minus(overdue).plusSeconds(60));
        assertEquals(before + 1, approvalsOutcomeNotRecorded());
        Resp early = settle(GatewayFixture.OPERATOR, recent, "{}"); // its execution may still be running
        assertEquals(409, early.status(), early.raw());
        assertEquals("approval_not_overdue", early.code());
        assertEquals(600, early.body().get("error").get("details").get("settle_after_seconds").asLong(), early.raw());
        gw.clock.advance(Duration.ofSeconds(61));
        assertEquals(before + 2, approvalsOutcomeNotRecorded());
        // Neither can be approved again: its outcome is unknown, not pending.
        Resp again = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + stale + "/approve", "{}");
        assertEquals(409, again.status(), again.raw());
        assertEquals("approval_not_pending", again.code());

        // An operator settles it: outcome_unknown, audited; never an agent.
        assertEquals(403, settle(GatewayFixture.AGENT, stale, "{}").status());
        Resp settled = settle(GatewayFixture.OPERATOR, stale, "{\"comment\":\"gw-2 lost; no row 8\"}");
        assertEquals(200, settled.status(), settled.raw());
        assertEquals("outcome_unknown", settled.body().get("status").asText(), settled.raw());
        JsonNode error = settled.body().get("error");
        assertEquals("outcome_unknown", error.get("code").asText(), settled.raw());
        assertEquals("op-1", error.get("settled_by").asText(), settled.raw());
        assertEquals("gw-2 lost; no row 8", error.get("comment").asText(), settled.raw());
        assertTrue(error.get("audit_id") == null, "no execution in the audit chain: " + settled.raw());
        assertEquals(before + 1, approvalsOutcomeNotRecorded());
        Resp twice = settle(GatewayFixture.OPERATOR2, stale, "{}");
        assertEquals(409, twice.status(), twice.raw());
        assertEquals("outcome_unknown", twice.body().get("error").get("details").get("status").asText(), twice.raw());
        gw.awaitAuditComplete();
        assertEquals(List.of("outcome_unknown", "error"), settleOutcomes(stale));
        assertEquals(List.of("error"), settleOutcomes(recent)); // the early attempt
        assertEquals(0, gw.count("SELECT count(*) FROM log WHERE n IN (8, 9)"));

        gw.admin.execute("UPDATE backstop.approvals SET status = 'failed', finished_at = decided_at WHERE id = '"
                + recent + "'");
        assertEquals(before, approvalsOutcomeNotRecorded());
    }

    @Test
    void settlingAnApprovalWhoseExecutionIsInTheAuditNamesThatRecord() throws Exception {
        // The gateway recorded the execution in the audit chain, then stopped before updating the approval.
        String id = request("INSERT INTO log VALUES (10)");
        Resp ok = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/approve", "{}");
        assertEquals(200, ok.status(), ok.raw());
        String execution = ok.body().get("audit_id").asText();
        gw.awaitAuditComplete();
        markApprovedAt(id, gw.clock.instant().minus(new GatewaySettings().approvalOutcomeOverdueAfter()).minusSeconds(1));
        Resp settled = settle(GatewayFixture.OPERATOR2, id, "{}");
        assertEquals(200, settled.status(), settled.raw());
        assertEquals("outcome_unknown", settled.body().get("status").asText(), settled.raw());
        assertEquals(execution, settled.body().get("error").get("audit_id").asText(), settled.raw());
        assertEquals("op-2", settled.body().get("error").get("settled_by").asText(), settled.raw());
        assertEquals(1, gw.count("SELECT count(*) FROM log WHERE n = 10"), "settling runs nothing");
    }

    private static Resp settle(String token, String id, String body) throws Exception {
        return gw.post(token, "/v1/approvals/" + id + "/settle", body);
    }

    private static List<String> settleOutcomes(String approvalId) throws Exception {
        List<String> out = new ArrayList<>();
        try (java.sql.Connection c = gw.admin.connect(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT outcome FROM backstop.audit WHERE approval_id = '"
                     + approvalId + "' AND decision = 'settle' ORDER BY seq")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static void markApprovedAt(String id, java.time.Instant at) throws Exception {
        gw.admin.execute("UPDATE backstop.approvals SET status = 'approved', decided_by = 'op-1', decided_at = '" + at
                + "' WHERE id = '" + id + "'");
    }

    private static long approvalsOutcomeNotRecorded() throws Exception {
        String prefix = "backstop_approvals_outcome_not_recorded ";
        return gw.get(GatewayFixture.OPERATOR, "/metrics").raw().lines().filter(l -> l.startsWith(prefix))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(prefix.length()))).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + prefix));
    }

    @Test
    void approvalsSurviveARestart() throws Exception {
        String id = request("INSERT INTO log VALUES (6)");
        gw.restart();
        Resp ok = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/approve", "{}");
        assertEquals(200, ok.status(), ok.raw());
        assertEquals(1, gw.count("SELECT count(*) FROM log WHERE n = 6"));
    }

    @Test
    void concurrentApprovalsExecuteOnce() throws Exception {
        for (int round = 0; round < 5; round++) {
            String id = request("INSERT INTO log VALUES (" + (100 + round) + ")");
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<Resp>> results = new ArrayList<>();
            for (String token : List.of(GatewayFixture.OPERATOR, GatewayFixture.OPERATOR2)) {
                Callable<Resp> c = () -> {
                    go.await();
                    return gw.post(token, "/v1/approvals/" + id + "/approve", "{}");
                };
                results.add(pool.submit(c));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Resp> f : results) {
                statuses.add(f.get().status());
            }
            pool.shutdown();
            statuses.sort(null);
            assertEquals(List.of(200, 409), statuses);
            assertEquals(1, gw.count("SELECT count(*) FROM log WHERE n = " + (100 + round)));
        }
    }

    @Test
    void policyIsReevaluatedAndTheGateConsultedAtApproval() throws Exception {
        String id = request("DELETE FROM victims"); // CRITICAL, table-recoverable; no gate required yet
        gw.writePolicy(POLICY.replace("\"require_recovery_for_critical\": false", "\"require_recovery_for_critical\": true"));
        gw.restart();
        try {
            Resp approve = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/approve", "{}");
            assertEquals(403, approve.status(), approve.raw());
            assertEquals("blocked", approve.body().get("status").asText());
            assertTrue(approve.body().get("reasons").toString().contains("recovery_gate_unavailable"), approve.raw());
            assertEquals("snapshot_exists", approve.body().get("gate").get(0).get("check").asText());
            assertEquals(false, approve.body().get("gate").get(0).get("passed").asBoolean());
            assertEquals("blocked", gw.get(GatewayFixture.OPERATOR, "/v1/approvals/" + id).body().get("status").asText());
            assertEquals(20, gw.count("SELECT count(*) FROM victims"));

            // With the gate required, such a request is blocked on arrival: nobody is asked to approve it.
            Resp arrival = gw.query(GatewayFixture.AGENT, "DELETE FROM victims");
            assertEquals(403, arrival.status(), arrival.raw());
            assertTrue(arrival.body().get("reasons").toString().contains("recovery_gate_unavailable"), arrival.raw());
            assertEquals(20, gw.count("SELECT count(*) FROM victims"));
        } finally {
            gw.writePolicy(POLICY);
            gw.restart();
        }
    }

    @Test
    void longPollReturnsTheResultOnceApproved() throws Exception {
        var held = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return gw.post(GatewayFixture.AGENT, "/v1/query", "{\"sql\":\"INSERT INTO log VALUES (7)\",\"wait_seconds\":20}");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        String id = null;
        for (int i = 0; i < 200 && id == null; i++) {
            for (var a : gw.get(GatewayFixture.OPERATOR, "/v1/approvals?status=pending").body().get("approvals")) {
                if (a.get("sql").asText().equals("INSERT INTO log VALUES (7)")) {
                    id = a.get("id").asText();
                }
            }
            Thread.sleep(50);
        }
        assertEquals(200, gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/approve", "{}").status());
        Resp r = held.get();
        assertEquals(200, r.status(), r.raw());
        assertEquals("executed", r.body().get("status").asText());
        assertEquals(id, r.body().get("approval_id").asText());
    }
}
