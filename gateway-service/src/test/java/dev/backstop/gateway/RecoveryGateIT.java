package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backstop.gateway.GatewayFixture.Resp;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.QuarantineMarker;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.testsupport.CommitDroppingProxy;
import dev.backstop.testsupport.DedicatedS3Server;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Done means 2 of issue 6: each recovery gate check fails in its own test, after the operator
 * approved, and the statement is blocked with that check's name in the response and the audit;
 * nothing is deleted. Recovery points are real objects in a real S3 server (written with
 * snapshot-format's publisher); the sidecar's POST /flush is a small stand-in HTTP server.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
@DedicatedS3Server
class RecoveryGateIT {
    static final String POLICY = """
            {"require_approval_for_risks": ["HIGH", "IMPACT_CRITICAL", "CRITICAL"],
             "max_snapshot_age_seconds": 300,
             "require_sidecar_heartbeat": true,
             "max_sidecar_heartbeat_seconds": 120,
             "require_object_checksum": true,
             "recovery_groups": {"billing": ["public.invoices", "public.payments"]},
             "max_blocked_attempts_per_window": 1000}
            """;
    /** A statement with this comment loses its connection right after its COMMIT reached the server. */
    static final String DROP_AT_COMMIT = "/* drop-at-commit */";
    static GatewayFixture gw;
    static SnapshotStoreFixture rp;
    static S3Endpoint s3;
    static CommitDroppingProxy proxy;

    @BeforeAll
    static void start(PgDatabase db, S3Endpoint endpoint) throws Exception {
        s3 = endpoint;
        proxy = new CommitDroppingProxy(db.host(), db.port(), DROP_AT_COMMIT);
        gw = new GatewayFixture(db, "gw_gate_it");
        gw.databaseUrl = proxy.jdbcUrl(db.name());
        rp = new SnapshotStoreFixture(endpoint, db.name(), gw.clock);
        gw.snapshotsYaml = rp.snapshotsYaml();
        gw.start(POLICY, rp.gatewayYaml());
    }

    @AfterAll
    static void stop() {
        gw.close();
        rp.close();
        proxy.close();
    }

    /** A table with rows 1..3, a fresh verified recovery point of it and a current heartbeat. */
    static VerifiedManifest ready(String table) throws Exception {
        gw.sql("CREATE TABLE " + table + " (id int PRIMARY KEY)", "INSERT INTO " + table + " VALUES (1), (2), (3)");
        VerifiedManifest vm = rp.publish("public." + table, 1, 2, 3);
        rp.heartbeat(gw.clock.instant(), vm.manifest().coveredLsn());
        return vm;
    }

    /** The agent's DELETE is held for approval (every check passes at arrival). Returns the approval id. */
    static String held(String table) throws Exception {
        Resp held = gw.query(GatewayFixture.AGENT, "DELETE FROM " + table);
        assertEquals(202, held.status(), held.raw());
        assertTrue(passedAll(held.body().get("gate")), held.raw());
        return held.body().get("approval_id").asText();
    }

    /** Approves; asserts blocked with the check failed for the table, in the response and the audit; rows kept. */
    static Resp approveExpectBlocked(String id, String table, String check) throws Exception {
        Resp r = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/approve", "{\"comment\":\"go\"}");
        assertEquals(403, r.status(), r.raw());
        assertEquals("blocked", r.body().get("status").asText(), r.raw());
        assertTrue(failed(r.body().get("gate"), check, "public." + table), check + " failed: " + r.raw());
        assertTrue(r.body().get("reasons").toString().contains("recovery_gate_failed:" + check), r.raw());
        assertEquals(3, gw.count("SELECT count(*) FROM " + table), "nothing was deleted");
        gw.awaitAuditComplete();
        JsonNode completion = approveCompletion(id);
        assertEquals("blocked", completion.get("outcome").asText(), completion.toString());
        assertTrue(failed(completion.get("gate"), check, "public." + table), completion.toString());
        assertEquals("blocked", gw.get(GatewayFixture.OPERATOR, "/v1/approvals/" + id).body().get("status").asText());
        return r;
    }

    static JsonNode approveCompletion(String approvalId) throws Exception {
        return RecoveryGateITSupport.approveCompletion(gw, approvalId);
    }

    static boolean failed(JsonNode gate, String check, String table) {
        for (JsonNode c : gate) {
            if (c.get("check").asText().equals(check) && table.equals(c.path("table").asText())
                    && !c.get("passed").asBoolean()) {
                return true;
            }
        }
        return false;
    }

    static boolean passedAll(JsonNode gate) {
        if (gate == null || !gate.isArray() || gate.isEmpty()) {
            return false;
        }
        for (JsonNode c : gate) {
            if (!c.get("passed").asBoolean()) {
                return false;
            }
        }
        return true;
    }

    @Test
    void noSnapshot() throws Exception {
        ready("no_snapshot");
        String id = held("no_snapshot");
        rp.store.delete(rp.keys.latest(rp.table("public.no_snapshot")));
        approveExpectBlocked(id, "no_snapshot", "snapshot_exists");
    }

    @Test
    void staleSnapshot() throws Exception {
        ready("stale_snapshot");
        String id = held("stale_snapshot");
        gw.clock.advance(Duration.ofSeconds(400));
        // A current heartbeat that has not caught up with this recovery point proves nothing about it.
        rp.heartbeat(gw.clock.instant(), Lsn.parse("0/1"));
        Resp r = approveExpectBlocked(id, "stale_snapshot", "snapshot_fresh");
        assertFalse(failed(r.body().get("gate"), "heartbeat_current", "public.stale_snapshot"), r.raw());
    }

    @Test
    void idleTableIsFreshThroughTheHeartbeat() throws Exception {
        VerifiedManifest vm = ready("idle_table");
        gw.clock.advance(Duration.ofSeconds(400));
        // The manifest is 400 s old, but a heartbeat written now is durable past its covered LSN.
        rp.heartbeat(gw.clock.instant(), Lsn.of(vm.manifest().coveredLsn().value() + 1));
        Resp r = gw.query(GatewayFixture.AGENT, "DELETE FROM idle_table");
        assertEquals(202, r.status(), r.raw());
        assertTrue(passedAll(r.body().get("gate")), r.raw());
    }

    @Test
    void sidecarStoppedHeartbeatStale() throws Exception {
        ready("stale_heartbeat");
        String id = held("stale_heartbeat");
        gw.clock.advance(Duration.ofSeconds(200)); // no new heartbeat: the sidecar is stopped
        Resp r = approveExpectBlocked(id, "stale_heartbeat", "heartbeat_current");
        assertFalse(failed(r.body().get("gate"), "snapshot_fresh", "public.stale_heartbeat"), r.raw());
    }

    @Test
    void manifestEditedInS3() throws Exception {
        VerifiedManifest vm = ready("edited_manifest");
        String id = held("edited_manifest");
        String raw = new String(rp.store.get(vm.key()).orElseThrow(), StandardCharsets.UTF_8);
        assertTrue(raw.contains("\"total_rows\":3"));
        rp.store.put(vm.key(), raw.replace("\"total_rows\":3", "\"total_rows\":4").getBytes(StandardCharsets.UTF_8));
        approveExpectBlocked(id, "edited_manifest", "manifest_checksum_valid");
    }

    @Test
    void dataFileEditedInS3() throws Exception {
        VerifiedManifest vm = ready("edited_file");
        String id = held("edited_file");
        ManifestFile f = vm.manifest().files().get(0);
        byte[] data = rp.store.get(f.key()).orElseThrow();
        data[data.length / 2] ^= 1; // same size, other content: the ETag differs
        rp.store.put(f.key(), data);
        Resp r = approveExpectBlocked(id, "edited_file", "manifest_checksum_valid");
        assertTrue(r.raw().contains("ETag"), r.raw());
    }

    @Test
    void aQuarantineReachesLaterRecoveryPointsThatReuseItsFiles() throws Exception {
        VerifiedManifest vm = ready("taint");
        rp.catalog.putQuarantine(new QuarantineMarker(1, rp.table("public.taint"), vm.manifest().recoveryPointId(),
                "suspected corruption", "op-1", gw.clock.instant()));
        VerifiedManifest later = rp.keepAlive("public.taint");
        rp.heartbeat(gw.clock.instant(), later.manifest().coveredLsn());
        Resp r = gw.query(GatewayFixture.AGENT, "DELETE FROM taint");
        assertEquals(403, r.status(), r.raw());
        assertTrue(failed(r.body().get("gate"), "not_quarantined", "public.taint"), r.raw());
        assertTrue(r.raw().contains("of quarantined recovery point " + vm.manifest().recoveryPointId()), r.raw());
        assertEquals(3, gw.count("SELECT count(*) FROM taint"));
    }

    @Test
    void quarantinedRecoveryPointAlsoAlerts() throws Exception {
        VerifiedManifest vm = ready("quarantined");
        String id = held("quarantined");
        rp.catalog.putQuarantine(new QuarantineMarker(1, rp.table("public.quarantined"),
                vm.manifest().recoveryPointId(), "suspected corruption", "op-1", gw.clock.instant()));
        approveExpectBlocked(id, "quarantined", "not_quarantined");
        JsonNode alert = awaitAlert("recovery_gate_failed", "public.quarantined");
        assertEquals("gateway", alert.get("source").asText());
        assertEquals("agent-1", alert.get("principal").asText());
        assertEquals("not_quarantined", alert.get("details").get("failed_checks").asText(), alert.toString());
        assertEquals(64, alert.get("sql_sha256").asText().length());
        assertFalse(alert.toString().contains("DELETE FROM"), "no SQL text in alerts");
    }

    @Test
    void s3Unreachable() throws Exception {
        ready("s3_down");
        String id = held("s3_down");
        s3.server().stop();
        try {
            Resp r = approveExpectBlocked(id, "s3_down", "snapshot_exists");
            assertTrue(r.raw().contains("snapshot store"), r.raw());
        } finally {
            s3.server().start();
        }
    }

    @Test
    void flushFailureBlocks() throws Exception {
        ready("flush_fails");
        String id = held("flush_fails");
        rp.flushStatus.set(503);
        try {
            Resp r = approveExpectBlocked(id, "flush_fails", "recovery_point_flushed");
            assertTrue(r.raw().contains("flush_timeout"), r.raw());
        } finally {
            rp.flushStatus.set(200);
        }
    }

    @Test
    void approvedWithEveryCheckPassingExecutesAndAuditsTheRecoveryPoint() throws Exception {
        VerifiedManifest vm = ready("gate_ok");
        int flushes = rp.flushRequests.size();
        Resp classified = gw.post(GatewayFixture.AGENT, "/v1/classify", "{\"sql\":\"DELETE FROM gate_ok\"}");
        assertEquals(200, classified.status(), classified.raw());
        List<String> names = new ArrayList<>();
        classified.body().get("gate").forEach(c -> names.add(c.get("check").asText()));
        assertEquals(List.of("snapshot_exists", "snapshot_fresh", "heartbeat_current", "manifest_checksum_valid",
                "not_quarantined"), names, classified.raw());
        assertTrue(passedAll(classified.body().get("gate")), classified.raw());
        assertEquals(flushes, rp.flushRequests.size(), "classify never flushes");

        String id = held("gate_ok");
        assertEquals(flushes, rp.flushRequests.size(), "the flush happens at execution, not on arrival");
        Resp ok = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/approve", "{\"comment\":\"go\"}");
        assertEquals(200, ok.status(), ok.raw());
        assertEquals(0, gw.count("SELECT count(*) FROM gate_ok"));
        assertEquals(flushes + 1, rp.flushRequests.size());
        assertEquals("[\"public.gate_ok\"]", rp.flushRequests.get(flushes).get("tables").toString());
        assertTrue(failed(ok.body().get("gate"), "recovery_point_flushed", "public.gate_ok") == false
                && ok.raw().contains("recovery_point_flushed"), ok.raw());

        gw.awaitAuditComplete();
        JsonNode c = approveCompletion(id);
        assertEquals("executed", c.get("outcome").asText());
        JsonNode points = c.get("recovery_points");
        assertEquals(1, points.size(), c.toString());
        assertEquals("public.gate_ok", points.get(0).get("table").asText());
        assertEquals(vm.key(), points.get(0).get("manifest_key").asText());
        assertEquals(vm.manifest().coveredLsn().toString(), points.get(0).get("covered_lsn").asText());
        assertEquals(vm.manifest().coveredLsn().toString(), c.get("recovery_lsn").asText());
        Lsn before = Lsn.parse(c.get("wal_insert_lsn_before_commit").asText());
        Lsn commit = Lsn.parse(c.get("commit_lsn").asText());
        assertEquals(before.value() + 1, commit.value());
        Lsn now = Lsn.parse((String) gw.value("SELECT pg_current_wal_insert_lsn()::text"));
        assertTrue(now.compareTo(commit) >= 0, "the commit record ends at or after commit_lsn");
        assertNotNull(c.get("xid"));
    }

    @Test
    void anApprovedStatementOnASchemaWhoseNameHasADotIsFlushedByItsQuotedName() throws Exception {
        // "ops.v2.dotted" would be ambiguous on the wire: the flush names the table as "ops.v2".dotted.
        gw.sql("CREATE SCHEMA \"ops.v2\"", "CREATE TABLE \"ops.v2\".dotted (id int PRIMARY KEY)",
                "INSERT INTO \"ops.v2\".dotted VALUES (1), (2), (3)");
        VerifiedManifest vm = rp.publish(rp.table("ops.v2", "dotted"), 1, 2, 3);
        rp.heartbeat(gw.clock.instant(), vm.manifest().coveredLsn());
        String id = held("\"ops.v2\".dotted");
        int flushes = rp.flushRequests.size();
        Resp ok = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/approve", "{\"comment\":\"go\"}");
        assertEquals(200, ok.status(), ok.raw());
        assertEquals(0, gw.count("SELECT count(*) FROM \"ops.v2\".dotted"));
        assertEquals("[\"\\\"ops.v2\\\".dotted\"]", rp.flushRequests.get(flushes).get("tables").toString());
        gw.awaitAuditComplete();
        JsonNode c = approveCompletion(id);
        assertEquals("executed", c.get("outcome").asText(), c.toString());
        assertEquals(vm.key(), c.get("recovery_points").get(0).get("manifest_key").asText(), c.toString());
    }

    @Test
    void aGatedStatementWhoseCommitLosesItsConnectionKeepsItsRestoreBoundary() throws Exception {
        VerifiedManifest vm = ready("lost_commit");
        Resp held = gw.query(GatewayFixture.AGENT, "DELETE " + DROP_AT_COMMIT + " FROM lost_commit");
        assertEquals(202, held.status(), held.raw());
        String id = held.body().get("approval_id").asText();
        Lsn start = Lsn.parse((String) gw.value("SELECT pg_current_wal_insert_lsn()::text"));
        Resp r = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/approve", "{\"comment\":\"go\"}");
        assertEquals(500, r.status(), r.raw());
        assertEquals("outcome_unknown", r.code(), r.raw());
        assertEquals(0, gw.count("SELECT count(*) FROM lost_commit"), "the DELETE did commit");

        // The execution's record has what "restore to just before it" needs, as an executed one would.
        gw.awaitAuditComplete();
        JsonNode c = approveCompletion(id);
        assertEquals("outcome_unknown", c.get("outcome").asText(), c.toString());
        assertEquals(vm.key(), c.get("recovery_points").get(0).get("manifest_key").asText(), c.toString());
        Lsn commit = Lsn.parse(c.get("commit_lsn").asText());
        assertEquals(Lsn.parse(c.get("wal_insert_lsn_before_commit").asText()).value() + 1, commit.value());
        assertTrue(commit.compareTo(start) > 0, "read inside the statement's transaction, after the approval began");
        JsonNode approval = gw.get(GatewayFixture.OPERATOR, "/v1/approvals/" + id).body();
        assertEquals("outcome_unknown", approval.get("status").asText(), approval.toString());
        JsonNode alert = awaitAlert("statement_outcome_unknown", "public.lost_commit");
        assertEquals("critical", alert.get("severity").asText(), alert.toString());
        assertEquals(approval.get("error").get("audit_id").asText(), alert.get("details").get("audit_id").asText());
        assertEquals(id, alert.get("details").get("approval_id").asText());
    }

    @Test
    void tablesPutUnderTheGateByTheEstimateStayUnderItAtApproval() throws Exception {
        ready("union_a");
        ready("union_b");
        gw.sql("ANALYZE union_b"); // the estimate then says 3 of 3 rows: IMPACT_CRITICAL
        Resp held = gw.query(GatewayFixture.AGENT, "TRUNCATE union_a; DELETE FROM union_b WHERE id > 0");
        assertEquals(202, held.status(), held.raw());
        assertTrue(held.raw().contains("public.union_b") && held.raw().contains("public.union_a"), held.raw());
        String id = held.body().get("approval_id").asText();
        // Between request and approval union_b loses its recovery point: re-planned without an estimate,
        // only TRUNCATE union_a would name a gate table, but union_b must still be checked.
        rp.store.delete(rp.keys.latest(rp.table("public.union_b")));
        Resp r = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/approve", "{\"comment\":\"go\"}");
        assertEquals(403, r.status(), r.raw());
        assertTrue(failed(r.body().get("gate"), "snapshot_exists", "public.union_b"), r.raw());
        assertEquals(3, gw.count("SELECT count(*) FROM union_a"), "nothing ran");
        assertEquals(3, gw.count("SELECT count(*) FROM union_b"), "nothing ran");
    }

    @Test
    void theApprovalFlushCoversEveryGateTableOfTheRequest() throws Exception {
        ready("union_c");
        ready("union_d");
        gw.sql("ANALYZE union_d");
        Resp held = gw.query(GatewayFixture.AGENT, "TRUNCATE union_c; DELETE FROM union_d WHERE id > 0");
        assertEquals(202, held.status(), held.raw());
        int flushes = rp.flushRequests.size();
        Resp ok = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + held.body().get("approval_id").asText()
                + "/approve", "{\"comment\":\"go\"}");
        assertEquals(200, ok.status(), ok.raw());
        assertEquals("[\"public.union_c\",\"public.union_d\"]", rp.flushRequests.get(flushes).get("tables").toString());
        assertEquals(0, gw.count("SELECT count(*) FROM union_d"));
    }

    @Test
    void aPauseDuringTheFlushStopsTheApprovedStatement() throws Exception {
        ready("paused_mid_flush");
        String id = held("paused_mid_flush");
        rp.flushHold = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CompletableFuture<Resp> approval = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + id + "/approve", "{\"comment\":\"go\"}");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try {
            assertTrue(rp.flushEntered.tryAcquire(20, java.util.concurrent.TimeUnit.SECONDS), "the flush was called");
            Resp pause = gw.post(GatewayFixture.OPERATOR2, "/v1/admin/pause", "{\"reason\":\"incident\"}");
            assertEquals(200, pause.status(), pause.raw());
            rp.flushHold.countDown();
            Resp r = approval.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(403, r.status(), r.raw());
            assertTrue(r.body().get("reasons").toString().contains("emergency_pause"), r.raw());
            assertEquals(3, gw.count("SELECT count(*) FROM paused_mid_flush"), "rolled back before COMMIT");
            gw.awaitAuditComplete();
            assertEquals("blocked", approveCompletion(id).get("outcome").asText());
        } finally {
            rp.flushHold.countDown();
            rp.flushHold = null;
            gw.post(GatewayFixture.OPERATOR2, "/v1/admin/resume", "{\"reason\":\"over\"}");
        }
    }

    /** A parent with rows 1..3 and a child whose 3 rows all cascade from parent 1; recovery points of both. */
    static void cascadePair(String parent, String child) throws Exception {
        ready(parent);
        gw.sql("CREATE TABLE " + child + " (id int PRIMARY KEY, parent_id int REFERENCES " + parent
                + " ON DELETE CASCADE)", "INSERT INTO " + child + " VALUES (1, 1), (2, 1), (3, 1)");
        VerifiedManifest vm = rp.publish("public." + child, 1, 2, 3);
        rp.heartbeat(gw.clock.instant(), vm.manifest().coveredLsn());
    }

    @Test
    void aCascadeThatEmptiesAnotherTableIsHeldWithThatTableUnderTheGate() throws Exception {
        cascadePair("cas_parent", "cas_child");
        // One parent row of three (MEDIUM: would run at once), but the cascade deletes every child row.
        Resp r = gw.query(GatewayFixture.AGENT, "DELETE FROM cas_parent WHERE id = 1");
        assertEquals(202, r.status(), r.raw());
        assertTrue(r.raw().contains("rolled_back_over_limit") && r.raw().contains("impact_percent_exceeded"), r.raw());
        assertTrue(passedAll(r.body().get("gate")) && r.body().get("gate").toString().contains("public.cas_child"),
                r.raw());
        assertEquals(3, gw.count("SELECT count(*) FROM cas_child"));
        int flushes = rp.flushRequests.size();
        Resp ok = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + r.body().get("approval_id").asText()
                + "/approve", "{\"comment\":\"go\"}");
        assertEquals(200, ok.status(), ok.raw());
        assertTrue(rp.flushRequests.get(flushes).get("tables").toString().contains("public.cas_child"),
                rp.flushRequests.get(flushes).toString());
        assertEquals(0, gw.count("SELECT count(*) FROM cas_child"));
    }

    @Test
    void anApprovedStatementWhoseCascadeWasNotEstimatedGatesThatTableBeforeItCommits() throws Exception {
        cascadePair("cas_parent2", "cas_child2");
        ready("cas_other");
        Resp held = gw.query(GatewayFixture.AGENT, "TRUNCATE cas_other; DELETE FROM cas_parent2 WHERE id = 1");
        assertEquals(202, held.status(), held.raw());
        assertTrue(!held.body().get("gate").toString().contains("cas_child2"), "not estimated: " + held.raw());
        int flushes = rp.flushRequests.size();
        Resp ok = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + held.body().get("approval_id").asText()
                + "/approve", "{\"comment\":\"go\"}");
        assertEquals(200, ok.status(), ok.raw());
        // First flush: the request's gate tables; the run was rolled back before COMMIT; the second
        // flush adds the child, then the statement ran again and committed.
        assertEquals(flushes + 2, rp.flushRequests.size());
        assertEquals("[\"public.cas_other\"]", rp.flushRequests.get(flushes).get("tables").toString());
        assertEquals("[\"public.cas_child2\",\"public.cas_other\"]",
                rp.flushRequests.get(flushes + 1).get("tables").toString());
        assertEquals(0, gw.count("SELECT count(*) FROM cas_child2"));
        assertEquals(0, gw.count("SELECT count(*) FROM cas_other"));
        gw.awaitAuditComplete();
        JsonNode c = approveCompletion(held.body().get("approval_id").asText());
        assertEquals("executed", c.get("outcome").asText(), c.toString());
        assertTrue(c.get("recovery_points").toString().contains("public.cas_child2"), c.toString());
    }

    @Test
    void groupMemberWithoutRecoveryPointBlocksTheOther() throws Exception {
        gw.sql("CREATE TABLE invoices (id int PRIMARY KEY)", "INSERT INTO invoices VALUES (1), (2), (3)",
                "CREATE TABLE payments (id int PRIMARY KEY)");
        VerifiedManifest vm = rp.publish("public.invoices", 1, 2, 3);
        rp.heartbeat(gw.clock.instant(), vm.manifest().coveredLsn());
        Resp r = gw.query(GatewayFixture.AGENT, "DELETE FROM invoices");
        assertEquals(403, r.status(), r.raw());
        assertTrue(failed(r.body().get("gate"), "snapshot_exists", "public.payments"), r.raw());
        assertFalse(failed(r.body().get("gate"), "snapshot_exists", "public.invoices"), r.raw());
        assertTrue(r.body().get("reasons").toString().contains("recovery_group:billing"), r.raw());
        assertEquals(3, gw.count("SELECT count(*) FROM invoices"));
    }

    @Test
    void snapshotsAndPostureComeFromTheCatalog() throws Exception {
        VerifiedManifest vm = ready("listed");
        Resp all = gw.get(GatewayFixture.OPERATOR, "/v1/snapshots");
        assertEquals(200, all.status(), all.raw());
        JsonNode listed = null;
        for (JsonNode t : all.body().get("tables")) {
            if (t.get("table").asText().equals("public.listed")) {
                listed = t;
            }
        }
        assertNotNull(listed, all.raw());
        assertEquals(vm.key(), listed.get("manifest_key").asText());
        assertTrue(listed.get("fresh").asBoolean());
        assertEquals(0, listed.get("age_seconds").asLong());
        Resp one = gw.get(GatewayFixture.OPERATOR, "/v1/snapshots/public.listed");
        assertEquals(200, one.status(), one.raw());
        assertEquals(1, one.body().get("recovery_points").size());
        assertEquals(vm.manifest().recoveryPointId(),
                one.body().get("recovery_points").get(0).get("recovery_point_id").asText());
        assertEquals(422, gw.get(GatewayFixture.OPERATOR, "/v1/snapshots/nodot").status());
        Resp posture = gw.get(GatewayFixture.OPERATOR, "/v1/posture");
        assertEquals(0, posture.body().get("sidecar_heartbeat").get("age_seconds").asLong(), posture.raw());
        assertTrue(posture.raw().contains("\"table\":\"public.listed\""), posture.raw());
    }

    static JsonNode awaitAlert(String event, String table) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            for (JsonNode a : rp.alerts) {
                if (a.get("event").asText().equals(event) && table.equals(a.path("table").asText())) {
                    return a;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + event + " alert for " + table + " in " + rp.alerts);
    }
}
