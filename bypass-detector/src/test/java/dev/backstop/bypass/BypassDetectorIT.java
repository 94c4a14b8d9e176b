package dev.backstop.bypass;

import dev.backstop.testsupport.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backstop.alerts.AlertEvent;
import dev.backstop.alerts.CompositeAlertSink;
import dev.backstop.alerts.WebhookAlertSink;
import dev.backstop.alerts.WebhookSettings;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.GatewayStateSchema;
import dev.backstop.testsupport.PgDatabase;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bypass detection against a real PostgreSQL: direct sessions of an agent role are found, the gateway's
 * registered sessions are not (whatever application_name says), and the posture follows the rules.
 * Polls are driven by hand (pollOnce) with a hand-moved clock: nothing here depends on timing.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class BypassDetectorIT {
    static final String AGENT = "bdit_agent";
    static final String MEMBER = "bdit_member";
    static final String PASSWORD = "bdit-secret";
    static final String GATEWAY_APP = "backstop-gateway";
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    static final Duration POLL = Duration.ofSeconds(5);
    static final ObjectMapper JSON = new ObjectMapper();

    static PgDatabase db;
    static ScheduledExecutorService scheduler;

    MutableClock clock;
    PrometheusRegistry registry;
    RecordingAlertSink recorded;
    WebhookReceiver receiver;
    WebhookAlertSink webhook;
    BypassDetector detector;

    @BeforeAll
    static void schema(PgDatabase database) throws Exception {
        db = database;
        GatewayStateSchema.create(db);
        db.createRole(AGENT, PASSWORD, "LOGIN");
        db.createRole(MEMBER, PASSWORD, "LOGIN");
        db.execute("GRANT " + AGENT + " TO " + MEMBER);
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopScheduler() {
        scheduler.shutdownNow();
    }

    @BeforeEach
    void newDetector() throws IOException, SQLException {
        db.execute("DELETE FROM backstop.bypass_events", "DELETE FROM backstop.gateway_backends");
        clock = new MutableClock(T0);
        registry = new PrometheusRegistry();
        recorded = new RecordingAlertSink();
        receiver = new WebhookReceiver();
        webhook = WebhookAlertSink.start(WebhookSettings.defaults(receiver.url())
                .withRetries(3, Duration.ofMillis(10), Duration.ofMillis(50)));
        detector = new BypassDetector(BypassDetectorSettings.defaults(List.of(AGENT)).withPollInterval(POLL),
                db.dataSource(), clock, scheduler, registry, CompositeAlertSink.of(recorded, webhook));
    }

    @AfterEach
    void closeDetector() {
        detector.close();
        webhook.close();
        receiver.close();
    }

    @Test
    void directSessionIsDetectedAndTheGatewaysSessionsNeverAre() throws Exception {
        try (Connection gateway = connect(AGENT, GATEWAY_APP);
             Connection gateway2 = connect(AGENT, GATEWAY_APP)) {
            registerAsGateway(gateway);
            registerAsGateway(gateway2);

            // Before any direct session: nothing found, posture protected, no alert.
            Posture quiet = detector.pollOnce();
            assertEquals(PostureState.PROTECTED, quiet.state());
            assertEquals(List.of(), quiet.liveSessions());
            assertEquals(List.of(), recorded.alerts);

            try (Connection direct = connect(AGENT, GATEWAY_APP)) { // same role, same application_name
                int pid = pid(direct);
                direct.createStatement().execute("SELECT 'some literal'");
                SessionFacts facts = facts(pid);
                clock.advance(POLL);
                Instant seen = clock.instant();

                Posture p = detector.pollOnce(); // first poll after the session appeared
                assertEquals(PostureState.DEGRADED, p.state());
                assertEquals(1, p.liveSessions().size());
                BypassSession s = p.liveSessions().get(0);
                assertEquals(new BypassSession(facts.pid, facts.backendStart, AGENT, AGENT, facts.clientAddr,
                        facts.clientPort, GATEWAY_APP, facts.queryStart, "idle", "client backend", db.name(),
                        sha256Hex("SELECT 'some literal'")), s);
                assertEquals(List.of(new PostureReason(PostureReason.BYPASS_DETECTED, AGENT,
                        "1 uncleared direct session(s) of agent role bdit_agent, last seen " + seen
                                + "; protected again 15 min after the last one, or when an operator clears them")),
                        p.reasons());
                assertEquals(Map.of(AGENT, 1), p.liveBypassConnections());

                Map<String, Double> m = MetricsText.values(registry);
                assertEquals(1.0, m.get("backstop_bypass_connections{role=\"bdit_agent\"}"));
                assertEquals(1.0, m.get("backstop_bypass_detections_total{role=\"bdit_agent\"}"));
                assertEquals(1.0, m.get("backstop_posture_degraded"));
                assertEquals(0.0, m.get("backstop_bypass_poll_errors_total"));

                List<Map<String, Object>> rows = events();
                assertEquals(1, rows.size());
                Map<String, Object> row = rows.get(0);
                assertEquals(AGENT, row.get("role"));
                assertEquals(facts.pid, row.get("backend_pid"));
                assertEquals(facts.backendStart, row.get("backend_start"));
                assertEquals(facts.clientAddr, row.get("client_addr"));
                assertEquals(GATEWAY_APP, row.get("application_name"));
                assertEquals(seen, row.get("detected_at"));
                assertEquals(seen, row.get("last_seen_at"));
                assertNull(row.get("cleared_at"));
                JsonNode detail = JSON.readTree((String) row.get("detail"));
                assertEquals(sha256Hex("SELECT 'some literal'"), detail.get("query_sha256").asText());
                assertEquals(false, row.get("detail").toString().contains("some literal"), "no query text stored");

                assertEquals(List.of(AlertEvent.BYPASS_DETECTED, AlertEvent.POSTURE_DEGRADED), recorded.events());
                JsonNode alert = receiver.next();
                assertTrue(alert.get("id").asText().matches("[0-9a-f-]{36}"));
                ((ObjectNode) alert).remove("id");
                // Compared as text: key order and number forms are part of the contract.
                assertEquals(JSON.writeValueAsString(expectedBypassJson(facts, seen, (Long) row.get("id"))),
                        JSON.writeValueAsString(alert));
                assertEquals("posture_degraded", receiver.next().get("event").asText());

                // Next poll: the same session refreshes its event; no second detection, no new alert.
                clock.advance(POLL);
                detector.pollOnce();
                rows = events();
                assertEquals(1, rows.size());
                assertEquals(seen, rows.get(0).get("detected_at"));
                assertEquals(clock.instant(), rows.get(0).get("last_seen_at"));
                assertEquals(1.0, MetricsText.values(registry).get("backstop_bypass_detections_total{role=\"bdit_agent\"}"));
                assertEquals(2, recorded.alerts.size());
            }
        }
    }

    @Test
    void parallelWorkersCountAsTheirLeadersSession() throws Exception {
        try (Connection gateway = connect(AGENT, GATEWAY_APP); Connection direct = connect(AGENT, "direct")) {
            registerAsGateway(gateway);
            int gatewayPid = pid(gateway);
            int directPid = pid(direct);
            Thread gw = runWithParallelWorker(gateway);
            Thread dr = runWithParallelWorker(direct);
            try {
                int gatewayWorker = awaitWorkerOf(gatewayPid);
                int directWorker = awaitWorkerOf(directPid);
                Posture p = detector.pollOnce();
                List<Integer> reported = p.liveSessions().stream().map(BypassSession::pid).sorted().toList();
                // Workers are judged by their leader: the gateway's is not reported, the direct session is,
                // once (not once per worker).
                assertEquals(List.of(directPid), reported);
                assertTrue(gatewayWorker != directWorker);
                assertEquals(Map.of(AGENT, 1), p.liveBypassConnections());
            } finally {
                db.queryValue("SELECT pg_cancel_backend(" + gatewayPid + ") AND pg_cancel_backend(" + directPid + ")");
                gw.join();
                dr.join();
            }
        }
    }

    /** Runs a 60 s sleep in a forced parallel worker on the session, in the background (cancelled by the test). */
    static Thread runWithParallelWorker(Connection session) {
        Thread t = new Thread(() -> {
            try (Statement st = session.createStatement()) {
                st.execute("SET debug_parallel_query = on");
                st.execute("SET parallel_setup_cost = 0");
                st.execute("SELECT pg_sleep(60)");
            } catch (SQLException expected) {
                // cancelled by the test
            }
        });
        t.start();
        return t;
    }

    static int awaitWorkerOf(int leaderPid) throws Exception {
        for (int i = 0; i < 300; i++) {
            Object pid = db.queryValue("SELECT pid FROM pg_stat_activity WHERE leader_pid = " + leaderPid
                    + " AND pid <> " + leaderPid + " AND backend_type = 'parallel worker'");
            if (pid != null) {
                return ((Number) pid).intValue();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no parallel worker for " + leaderPid);
    }

    @Test
    void membersOfAnAgentRoleAreWatchedUnderTheAgentRole() throws Exception {
        try (Connection direct = connect(MEMBER, "psql")) {
            SessionFacts facts = facts(direct);
            Posture p = detector.pollOnce();
            assertEquals(1, p.liveSessions().size());
            assertEquals(facts.pid, p.liveSessions().get(0).pid());
            assertEquals(MEMBER, p.liveSessions().get(0).loginRole());
            assertEquals(AGENT, p.liveSessions().get(0).agentRole());
            assertEquals(1.0, MetricsText.values(registry).get("backstop_bypass_connections{role=\"bdit_agent\"}"));
            assertEquals(MEMBER, recorded.alerts.get(0).principal());
        }
    }

    @Test
    void protectedAgainAfterTheQuietPeriod() throws Exception {
        int pid;
        try (Connection direct = connect(AGENT, "direct")) {
            pid = facts(direct).pid;
            assertEquals(PostureState.DEGRADED, detector.pollOnce().state());
        }
        awaitGone(pid);
        Instant lastSeen = clock.instant();

        clock.advance(POLL);
        Posture afterExit = detector.pollOnce();
        assertEquals(PostureState.DEGRADED, afterExit.state(), "still within the quiet period");
        assertEquals(Map.of(AGENT, 0), afterExit.liveBypassConnections());
        assertEquals(0.0, MetricsText.values(registry).get("backstop_bypass_connections{role=\"bdit_agent\"}"));

        // Exactly at the end of the quiet period the event still counts; one poll later it does not.
        clock.advance(Duration.between(clock.instant(), lastSeen.plus(Duration.ofMinutes(15))));
        assertEquals(PostureState.DEGRADED, detector.pollOnce().state());
        clock.advance(POLL);
        Posture p = detector.pollOnce();
        assertEquals(PostureState.PROTECTED, p.state());
        assertEquals(List.of(), p.reasons());
        assertEquals(0.0, MetricsText.values(registry).get("backstop_posture_degraded"));
        assertEquals(List.of(AlertEvent.BYPASS_DETECTED, AlertEvent.POSTURE_DEGRADED, AlertEvent.POSTURE_CLEARED),
                recorded.events());
        assertNull(events().get(0).get("cleared_at"), "the quiet period does not clear the event");
    }

    @Test
    void operatorClearRestoresProtectionUnlessTheSessionIsStillLive() throws Exception {
        try (Connection direct = connect(AGENT, "direct")) {
            int pid = facts(direct).pid;
            assertEquals(PostureState.DEGRADED, detector.pollOnce().state());

            // Cleared while the session is still connected: the next poll opens a new event.
            clear("oncall", "investigating");
            clock.advance(POLL);
            assertEquals(PostureState.DEGRADED, detector.pollOnce().state());
            List<Map<String, Object>> rows = events();
            assertEquals(2, rows.size());
            assertEquals("oncall", rows.get(0).get("cleared_by"));
            assertNull(rows.get(1).get("cleared_at"));
            assertEquals(2.0, MetricsText.values(registry).get("backstop_bypass_detections_total{role=\"bdit_agent\"}"));

            direct.close();
            awaitGone(pid);
        }
        clear("oncall", "session terminated, password rotated");
        clock.advance(POLL);
        Posture p = detector.pollOnce();
        assertEquals(PostureState.PROTECTED, p.state());
        assertEquals(List.of(AlertEvent.BYPASS_DETECTED, AlertEvent.POSTURE_DEGRADED, AlertEvent.BYPASS_DETECTED,
                AlertEvent.POSTURE_CLEARED), recorded.events());
    }

    @Test
    void aDetectorThatCannotPollFailsClosed() throws Exception {
        BypassDetector blind = new BypassDetector(BypassDetectorSettings.defaults(List.of(AGENT))
                .withStateSchema("no_such_schema"), db.dataSource(), clock, scheduler, new PrometheusRegistry(),
                recorded);
        try {
            Posture p = blind.pollOnce();
            assertEquals(PostureState.DEGRADED, p.state());
            assertEquals(PostureReason.DETECTOR_UNAVAILABLE, p.reasons().get(0).code());
            // Still blind, still degraded (fail closed), but the reason says what a missing table means.
            assertEquals("pg_stat_activity has not been read yet: SQLSTATE 42P01: the gateway has not created its state"
                    + " schema in this database yet (relation \"no_such_schema.gateway_backends\" does not exist; the"
                    + " gateway creates no_such_schema.gateway_backends and no_such_schema.bypass_events when it starts):"
                    + " start the gateway against this database, or check that the gateway and the sidecar use the same"
                    + " database.url and database.stateSchema", p.reasons().get(0).message());
            assertEquals(List.of(AlertEvent.POSTURE_DEGRADED), recorded.events());
        } finally {
            blind.close();
        }

    }

    @Test
    void aDetectorWhosePollsStopSucceedingDegradesAfterTwoIntervals() throws Exception {
        SwitchableDataSource ds = new SwitchableDataSource(db.dataSource());
        PrometheusRegistry own = new PrometheusRegistry();
        BypassDetector d = new BypassDetector(BypassDetectorSettings.defaults(List.of(AGENT)).withPollInterval(POLL),
                ds, clock, scheduler, own, recorded);
        try {
            assertEquals(PostureState.PROTECTED, d.pollOnce().state());
            // The database goes away: the detector's session is killed and new connections are refused.
            ds.refuse = true;
            int detectorPid = pid(ds.opened.get(0));
            db.queryValue("SELECT pg_terminate_backend(" + detectorPid + ")");
            awaitGone(detectorPid);

            clock.advance(POLL);
            assertEquals(PostureState.PROTECTED, d.pollOnce().state(), "one failed poll: 5 s without a look");
            clock.advance(POLL);
            assertEquals(PostureState.PROTECTED, d.pollOnce().state(), "10 s: still within two intervals");
            clock.advance(POLL);
            Posture blind = d.pollOnce();
            assertEquals(PostureState.DEGRADED, blind.state());
            assertEquals(PostureReason.DETECTOR_UNAVAILABLE, blind.reasons().get(0).code());
            assertEquals("pg_stat_activity not read since " + T0 + ": SQLSTATE 08001: \"connection refused (test)\"",
                    blind.reasons().get(0).message());
            Map<String, Double> m = MetricsText.values(own);
            assertEquals(3.0, m.get("backstop_bypass_poll_errors_total"));
            assertEquals(1.0, m.get("backstop_posture_degraded"));

            ds.refuse = false;
            clock.advance(POLL);
            assertEquals(PostureState.PROTECTED, d.pollOnce().state());
            assertEquals(List.of(AlertEvent.POSTURE_DEGRADED, AlertEvent.POSTURE_CLEARED), recorded.events());
        } finally {
            d.close();
        }
    }

    @Test
    void startRunsPollsOnTheScheduler() throws Exception {
        try (Connection direct = connect(AGENT, "direct")) {
            facts(direct);
            detector.start();
            JsonNode first = receiver.next(); // the scheduled poll found it and the webhook delivered it
            assertEquals("bypass_detected", first.get("event").asText());
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    record SessionFacts(int pid, Instant backendStart, String clientAddr, Integer clientPort, Instant queryStart) {
    }

    static Connection connect(String role, String applicationName) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", role);
        props.setProperty("password", PASSWORD);
        props.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(db.jdbcUrl(), props);
    }

    /** The session's identity as pg_stat_activity shows it to the superuser (read from outside the session). */
    static SessionFacts facts(Connection session) throws SQLException {
        return facts(pid(session));
    }

    static int pid(Connection session) throws SQLException {
        try (Statement st = session.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static SessionFacts facts(int pid) throws SQLException {
        try (Connection admin = db.connect();
             PreparedStatement ps = admin.prepareStatement("SELECT backend_start, host(client_addr), client_port,"
                     + " query_start FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new SessionFacts(pid, rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getString(2),
                        (Integer) rs.getObject(3), rs.getObject(4, OffsetDateTime.class).toInstant());
            }
        }
    }

    /** What the gateway does for each pool connection: record its (pid, backend_start). */
    static void registerAsGateway(Connection gatewaySession) throws SQLException {
        SessionFacts f = facts(gatewaySession);
        try (Connection admin = db.connect();
             PreparedStatement ps = admin.prepareStatement("INSERT INTO backstop.gateway_backends"
                     + " (instance_id, backend_pid, backend_start, first_seen, refreshed_at) VALUES ('gw-1', ?, ?, now(), now())")) {
            ps.setInt(1, f.pid);
            ps.setObject(2, f.backendStart.atOffset(java.time.ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    void clear(String by, String reason) throws SQLException {
        try (Connection admin = db.connect()) {
            new BypassEventStore("backstop").clearAll(admin, by, reason, clock.instant());
        }
    }

    /** A closed connection's backend exits asynchronously: wait (bounded) until PostgreSQL no longer lists it. */
    static void awaitGone(int pid) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (((Number) db.queryValue("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid)).intValue() == 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("backend " + pid + " did not exit");
    }

    static List<Map<String, Object>> events() throws SQLException {
        try (Connection admin = db.connect(); Statement st = admin.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, detected_at, last_seen_at, role, client_addr, application_name,"
                     + " backend_pid, backend_start, detail::text, cleared_at, cleared_by, clear_reason"
                     + " FROM backstop.bypass_events ORDER BY id")) {
            List<Map<String, Object>> out = new java.util.ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new java.util.HashMap<>();
                row.put("id", rs.getLong(1));
                row.put("detected_at", ActivityScanner.instant(rs, 2));
                row.put("last_seen_at", ActivityScanner.instant(rs, 3));
                row.put("role", rs.getString(4));
                row.put("client_addr", rs.getString(5));
                row.put("application_name", rs.getString(6));
                row.put("backend_pid", rs.getInt(7));
                row.put("backend_start", ActivityScanner.instant(rs, 8));
                row.put("detail", rs.getString(9));
                row.put("cleared_at", ActivityScanner.instant(rs, 10));
                row.put("cleared_by", rs.getString(11));
                row.put("clear_reason", rs.getString(12));
                out.add(row);
            }
            return out;
        }
    }

    ObjectNode expectedBypassJson(SessionFacts f, Instant seen, long eventId) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format_version", 1);
        n.put("event", "bypass_detected");
        n.put("severity", "critical");
        n.put("time", seen.toString());
        n.put("source", "sidecar");
        n.put("principal", AGENT);
        n.putNull("table");
        n.put("sql_sha256", sha256Hex("SELECT 'some literal'"));
        n.put("summary", "Direct PostgreSQL session as bdit_agent (agent role bdit_agent) from " + f.clientAddr);
        n.put("recommended_action", "If this session is not expected: SELECT pg_terminate_backend(" + f.pid
                + "); rotate the password of bdit_agent, make agent roles NOLOGIN, then clear the posture with"
                + " POST /v1/posture/clear.");
        ObjectNode d = n.putObject("details");
        d.put("agent_role", AGENT);
        d.put("application_name", GATEWAY_APP);
        d.put("backend_pid", f.pid);
        d.put("backend_start", f.backendStart.toString());
        d.put("backend_type", "client backend");
        d.put("bypass_event_id", eventId);
        d.put("client_addr", f.clientAddr);
        d.put("client_port", f.clientPort);
        d.put("database", db.name());
        d.put("login_role", AGENT);
        d.put("query_start", f.queryStart.toString());
        d.put("state", "idle");
        return n;
    }

    static String sha256Hex(String s) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
