package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.gateway.GatewayFixture.Resp;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Emergency pause and agent quarantine, both persisted across restarts. */
@ExtendWith(EmbeddedPostgresExtension.class)
class SafetyIT {
    static final String POLICY = """
            {"require_recovery_for_critical": false,
             "max_blocked_attempts_per_window": 3,
             "dangerous_retry_window_seconds": 600,
             "quarantine_duration_seconds": 1800,
             "quarantine_blocks_safe_queries": false,
             "max_write_percent_without_critical": 100}
            """;
    static GatewayFixture gw;

    @BeforeAll
    static void start(PgDatabase db) throws Exception {
        gw = new GatewayFixture(db, "gw_safety_it");
        gw.sql("CREATE TABLE t (id int)");
        gw.start(POLICY, null);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aPauseSetByAnotherGatewayInstanceTakesEffectHere() throws Exception {
        // Another instance sharing the state schema pauses (its PauseStore writes this row).
        gw.sql("UPDATE backstop.pause_state SET paused = true, blocks_all = false, reason = 'other instance',"
                + " changed_by = 'op-on-gw-2', changed_at = now() WHERE id = 1");
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            Resp write;
            do {
                Thread.sleep(200);
                write = gw.query(GatewayFixture.AGENT2, "INSERT INTO t VALUES (20)");
            } while (write.status() == 200 && System.nanoTime() < deadline);
            assertEquals(403, write.status(), write.raw());
            assertTrue(write.body().get("reasons").toString().contains("emergency_pause"), write.raw());
        } finally {
            gw.sql("UPDATE backstop.pause_state SET paused = false, blocks_all = false WHERE id = 1");
            gw.sql("DELETE FROM t WHERE id = 20");
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (gw.query(GatewayFixture.AGENT2, "SELECT 1").body().path("status").asText().equals("blocked")
                || gw.get(GatewayFixture.OPERATOR, "/v1/posture").body().get("pause").get("paused").asBoolean()) {
            assertTrue(System.nanoTime() < deadline, "resume by the other instance not seen");
            Thread.sleep(200);
        }
    }

    @Test
    void pauseBlocksWritesSurvivesRestartAndResumes() throws Exception {
        Resp denied = gw.post(GatewayFixture.AGENT2, "/v1/admin/pause", "{\"reason\":\"agent tries\"}");
        assertEquals(403, denied.status(), denied.raw());

        Resp pause = gw.post(GatewayFixture.OPERATOR, "/v1/admin/pause", "{\"reason\":\"incident 42\"}");
        assertEquals(200, pause.status(), pause.raw());
        assertEquals(true, pause.body().get("paused").asBoolean());

        Resp write = gw.query(GatewayFixture.AGENT2, "INSERT INTO t VALUES (10)");
        assertEquals(403, write.status(), write.raw());
        assertTrue(write.body().get("reasons").toString().contains("emergency_pause"), write.raw());
        assertEquals(200, gw.query(GatewayFixture.AGENT2, "SELECT count(*) FROM t").status());

        gw.restart();
        assertEquals(403, gw.query(GatewayFixture.AGENT2, "INSERT INTO t VALUES (10)").status());
        assertEquals(true, gw.get(GatewayFixture.OPERATOR, "/v1/posture").body().get("pause").get("paused").asBoolean());

        Resp all = gw.post(GatewayFixture.OPERATOR, "/v1/admin/pause", "{\"reason\":\"full stop\",\"block_all\":true}");
        assertEquals(true, all.body().get("blocks_all").asBoolean(), all.raw());
        Resp read = gw.query(GatewayFixture.AGENT2, "SELECT 1");
        assertEquals(403, read.status(), read.raw());

        assertEquals(200, gw.post(GatewayFixture.OPERATOR, "/v1/admin/resume", "{\"reason\":\"fixed\"}").status());
        assertEquals(200, gw.query(GatewayFixture.AGENT2, "INSERT INTO t VALUES (10)").status());
        assertEquals(1, gw.count("SELECT count(*) FROM t WHERE id = 10"));
    }

    @Test
    void repeatedBlockedAttemptsQuarantineTheAgent() throws Exception {
        for (int i = 0; i < 3; i++) {
            Resp r = gw.query(GatewayFixture.AGENT, "DROP DATABASE postgres");
            assertEquals(403, r.status(), r.raw());
            assertTrue(r.body().get("reasons").toString().contains("blocked_operation:DROP DATABASE"), r.raw());
        }
        Resp write = gw.query(GatewayFixture.AGENT, "INSERT INTO t VALUES (2)");
        assertEquals(403, write.status(), write.raw());
        assertTrue(write.body().get("reasons").toString().contains("agent_quarantined"), write.raw());
        // SAFE queries still run (quarantine_blocks_safe_queries=false); other agents are unaffected.
        assertEquals(200, gw.query(GatewayFixture.AGENT, "SELECT 1").status());
        assertEquals(200, gw.query(GatewayFixture.AGENT2, "INSERT INTO t VALUES (3)").status());

        gw.restart(); // persisted
        assertEquals(403, gw.query(GatewayFixture.AGENT, "INSERT INTO t VALUES (2)").status());

        gw.clock.advance(Duration.ofSeconds(1801));
        assertEquals(200, gw.query(GatewayFixture.AGENT, "INSERT INTO t VALUES (2)").status());
        assertEquals(1, gw.count("SELECT count(*) FROM t WHERE id = 2"));
    }

    @Test
    void postureIsProtectedUntilABypassIsRecorded() throws Exception {
        Resp p = gw.get(GatewayFixture.AGENT, "/v1/posture");
        assertEquals(200, p.status(), p.raw());
        assertEquals("protected", p.body().get("state").asText());
        // A bypass last seen before the quiet period (default 15 min) no longer degrades the posture.
        String old = gw.clock.instant().minusSeconds(7200).toString();
        gw.admin.execute("INSERT INTO backstop.bypass_events (detected_at, last_seen_at, role, client_addr)"
                + " VALUES ('" + old + "', '" + old + "', 'agent', '10.0.0.8')");
        Resp quiet = gw.get(GatewayFixture.AGENT, "/v1/posture");
        assertEquals("protected", quiet.body().get("state").asText(), quiet.raw());
        assertEquals(900, quiet.body().get("quiet_period_seconds").asLong());
        // One seen (by the sidecar) within the quiet period degrades it until an operator clears it.
        String seen = gw.clock.instant().minusSeconds(600).toString();
        gw.admin.execute("INSERT INTO backstop.bypass_events (detected_at, last_seen_at, role, client_addr)"
                + " VALUES ('" + seen + "', '" + seen + "', 'agent', '10.0.0.9')");
        Resp degraded = gw.get(GatewayFixture.AGENT, "/v1/posture");
        assertEquals("degraded", degraded.body().get("state").asText());
        assertEquals(1, degraded.body().get("bypass_connections").size(), degraded.raw());
        assertEquals("agent", degraded.body().get("recent_bypass").get(0).get("agent_role").asText());
        assertEquals("10.0.0.9", degraded.body().get("bypass_connections").get(0).get("client_addr").asText());
        assertEquals(403, gw.post(GatewayFixture.AGENT, "/v1/posture/clear", "{\"reason\":\"x\"}").status());
        Resp cleared = gw.post(GatewayFixture.OPERATOR, "/v1/posture/clear", "{\"reason\":\"investigated\"}");
        assertEquals(200, cleared.status(), cleared.raw());
        assertEquals("protected", cleared.body().get("state").asText());
    }
}
