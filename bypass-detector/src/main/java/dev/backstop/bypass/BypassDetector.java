package dev.backstop.bypass;

import dev.backstop.alerts.Alert;
import dev.backstop.alerts.AlertEvent;
import dev.backstop.alerts.AlertSink;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Layer 4 (safety model): watches pg_stat_activity for sessions of agent roles that are not the gateway's
 * own connections, records them in bypass_events, keeps the posture, exports metrics and sends alerts.
 *
 * <p>Lifecycle: construct, {@link #start()} (first poll and preventive checks right away, then every
 * pollInterval / preventiveCheckInterval on the given scheduler), {@link #close()}. The scheduler and the
 * alert sink belong to the caller: close() neither shuts down the one nor closes the other. Tests call
 * {@link #pollOnce()} and {@link #runPreventiveChecks()} directly instead of starting it.
 *
 * <p>A detection logs one WARN line with role, client address, application_name, backend start and query
 * start. The query text is not logged, not stored and not even read: it may hold personal data or secrets
 * (e.g. ALTER ROLE .. PASSWORD), and the finding is the session, not the statement. Its SHA-256, computed by
 * PostgreSQL, is logged and stored so it can be matched against PostgreSQL's own logs by people allowed to
 * read those.
 */
public final class BypassDetector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BypassDetector.class);
    private static final String UNDEFINED_TABLE = "42P01";
    private static final java.util.regex.Pattern MISSING_RELATION =
            java.util.regex.Pattern.compile("relation \"([^\"]+)\" does not exist");

    private final BypassDetectorSettings settings;
    private final DataSource dataSource;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final AlertSink alerts;
    private final ActivityScanner scanner;
    private final BypassEventStore events;
    private final PreventiveChecks checks;
    private final PostureTracker tracker;
    private final BypassMetrics metrics;

    private Connection connection;
    private Instant lastSuccessfulPoll;
    private String lastPollError;
    private List<BypassEventStore.RecentBypass> recent = List.of();
    private Map<String, Integer> live;
    private List<BypassSession> liveSessions = List.of();
    private List<PostureWarning> warnings = List.of();
    private volatile Posture posture;
    private PostureState announced;
    private boolean polled;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private boolean closed;

    /**
     * @param settings   roles, intervals, state schema
     * @param dataSource connections to the protected database; the role needs pg_read_all_stats (or superuser),
     *                   SELECT on gateway_backends and SELECT, INSERT, UPDATE on bypass_events
     * @param clock      time of events, quiet period and poll freshness
     * @param scheduler  runs the polls; owned by the caller
     * @param registry   where the metrics are registered (backstop_bypass_connections, ..._detections_total,
     *                   backstop_posture_degraded, backstop_posture_warnings, backstop_bypass_poll_errors_total)
     * @param alerts     receives bypass_detected, posture_degraded and posture_cleared; owned by the caller
     */
    public BypassDetector(BypassDetectorSettings settings, DataSource dataSource, Clock clock,
                          ScheduledExecutorService scheduler, PrometheusRegistry registry, AlertSink alerts) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.alerts = Objects.requireNonNull(alerts, "alerts");
        this.scanner = new ActivityScanner(settings);
        this.events = new BypassEventStore(settings.stateSchema());
        this.checks = new PreventiveChecks(settings);
        this.tracker = new PostureTracker(settings.quietPeriod(), settings.pollInterval());
        this.metrics = new BypassMetrics(Objects.requireNonNull(registry, "registry"), settings.agentRoles());
        this.live = zeroPerRole();
        this.posture = tracker.evaluate(clock.instant(), List.of(), null, null, List.of(), live, List.of());
    }

    /** Runs the preventive checks and a first poll now, then both periodically. */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("bypass detector is closed");
        }
        if (!tasks.isEmpty()) {
            return;
        }
        long poll = settings.pollInterval().toMillis();
        long check = settings.preventiveCheckInterval().toMillis();
        tasks.add(scheduler.scheduleWithFixedDelay(this::safeChecks, 0, check, TimeUnit.MILLISECONDS));
        tasks.add(scheduler.scheduleWithFixedDelay(this::safePoll, 0, poll, TimeUnit.MILLISECONDS));
        LOG.info("bypass detection started: agent roles {}, poll every {} s, quiet period {} min",
                settings.agentRoles(), settings.pollInterval().toSeconds(), settings.quietPeriod().toMinutes());
    }

    /** The posture as last evaluated (after the last poll or check). */
    public Posture posture() {
        return posture;
    }

    /**
     * One look at pg_stat_activity: records sightings, updates metrics and posture, sends alerts. Never
     * throws for a database problem: a failed poll is logged, counted, and degrades the posture once no poll
     * succeeded for two intervals.
     */
    public synchronized Posture pollOnce() {
        Instant now = clock.instant();
        polled = true;
        try {
            Connection c = connection();
            List<BypassSession> sessions = scanner.scan(c);
            Map<String, Integer> perRole = zeroPerRole();
            for (BypassSession s : sessions) {
                perRole.merge(s.agentRole(), 1, Integer::sum);
                BypassEventStore.Sighting sighting = events.record(c, s, now);
                if (sighting.newEvent()) {
                    announce(s, sighting.eventId(), now);
                }
            }
            recent = events.recentUncleared(c, tracker.quietSince(now));
            live = perRole;
            liveSessions = sessions;
            lastSuccessfulPoll = now;
            lastPollError = null;
            metrics.liveConnections(perRole);
        } catch (SQLException | RuntimeException e) {
            lastPollError = describe(e);
            metrics.pollFailed();
            LOG.warn("bypass detection poll failed: {}", lastPollError);
            dropConnection();
        }
        return evaluate(now);
    }

    /** Runs the preventive role checks now; warnings are logged when they appear and when they go away. */
    public synchronized List<PostureWarning> runPreventiveChecks() {
        try {
            List<PostureWarning> found = checks.run(connection());
            Set<PostureWarning> before = new HashSet<>(warnings);
            for (PostureWarning w : found) {
                if (!before.contains(w)) {
                    LOG.warn("posture warning {}: {}", w.check(), w.message());
                }
            }
            Set<PostureWarning> now = new HashSet<>(found);
            for (PostureWarning w : warnings) {
                if (!now.contains(w)) {
                    LOG.info("posture warning resolved {}: {}", w.check(), w.message());
                }
            }
            warnings = found;
            metrics.warnings(found);
        } catch (SQLException | RuntimeException e) {
            // Keep the last known warnings: a check that cannot run proves nothing either way.
            LOG.warn("preventive posture checks failed: {}", describe(e));
            dropConnection();
        }
        evaluate(clock.instant());
        return warnings;
    }

    /** Stops the periodic work and closes the detector's connection. */
    @Override
    public synchronized void close() {
        closed = true;
        tasks.forEach(t -> t.cancel(false));
        tasks.clear();
        dropConnection();
    }

    private Posture evaluate(Instant now) {
        Posture p = tracker.evaluate(now, recent, lastSuccessfulPoll, lastPollError, warnings, live, liveSessions);
        posture = p;
        metrics.posture(p);
        // Transitions are announced from the first poll on: before it, "not read yet" is expected, not news.
        if (polled) {
            if (announced == null ? p.degraded() : announced != p.state()) {
                sendTransition(p, now);
            }
            announced = p.state();
        }
        return p;
    }

    private void sendTransition(Posture p, Instant now) {
        if (p.degraded()) {
            String reasons = p.reasons().stream().map(PostureReason::code).distinct().collect(Collectors.joining(","));
            LOG.warn("posture degraded: {}", p.reasons().stream().map(PostureReason::message).toList());
            alerts.send(Alert.builder(AlertEvent.POSTURE_DEGRADED, now).source(settings.source())
                    .summary("Backstop posture degraded: " + reasons)
                    .detail("reasons", reasons)
                    .detail("messages", String.join("; ", p.reasons().stream().map(PostureReason::message).toList()))
                    .build());
        } else {
            LOG.info("posture protected again");
            alerts.send(Alert.builder(AlertEvent.POSTURE_CLEARED, now).source(settings.source())
                    .summary("Backstop posture protected again")
                    .build());
        }
    }

    private void announce(BypassSession s, long eventId, Instant now) {
        metrics.detected(s.agentRole());
        LOG.warn("BYPASS: direct session of agent role {} (login role {}) from {} application_name={} pid={}"
                        + " backend_start={} query_start={} state={} database={} query_sha256={} event={}",
                s.agentRole(), LogSafe.text(s.loginRole()), s.clientAddr() == null ? "local socket" : s.clientAddr(),
                LogSafe.text(s.applicationName()), s.pid(), s.backendStart(), s.queryStart(), s.state(),
                LogSafe.text(s.database()), s.querySha256(), eventId);
        alerts.send(Alert.builder(AlertEvent.BYPASS_DETECTED, now).source(settings.source())
                .principal(s.loginRole())
                .sqlSha256(s.querySha256())
                .summary("Direct PostgreSQL session as " + s.loginRole() + " (agent role " + s.agentRole() + ") from "
                        + (s.clientAddr() == null ? "a local socket" : s.clientAddr()))
                .recommendedAction("If this session is not expected: SELECT pg_terminate_backend(" + s.pid()
                        + "); rotate the password of " + s.loginRole() + ", make agent roles NOLOGIN, then clear the"
                        + " posture with POST /v1/posture/clear.")
                .detail("agent_role", s.agentRole())
                .detail("login_role", s.loginRole())
                .detail("client_addr", s.clientAddr())
                .detail("client_port", s.clientPort())
                .detail("application_name", s.applicationName())
                .detail("backend_pid", s.pid())
                .detail("backend_start", s.backendStart())
                .detail("query_start", s.queryStart())
                .detail("state", s.state())
                .detail("backend_type", s.backendType())
                .detail("database", s.database())
                .detail("bypass_event_id", eventId)
                .build());
    }

    private Map<String, Integer> zeroPerRole() {
        Map<String, Integer> m = new TreeMap<>();
        settings.agentRoles().forEach(r -> m.put(r, 0));
        return m;
    }

    private void safePoll() {
        try {
            pollOnce();
        } catch (RuntimeException e) {
            // Keeps the schedule alive: an exception would cancel it silently.
            LOG.error("bypass detection poll crashed: {}", e.toString());
        }
    }

    private void safeChecks() {
        try {
            runPreventiveChecks();
        } catch (RuntimeException e) {
            LOG.error("preventive posture checks crashed: {}", e.toString());
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = dataSource.getConnection();
            connection.setAutoCommit(true);
        }
        return connection;
    }

    private void dropConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the detector connection failed: {}", e.toString());
            }
            connection = null;
        }
    }

    private String describe(Exception e) {
        if (e instanceof SQLException sql && UNDEFINED_TABLE.equals(sql.getSQLState()) && sql.getMessage() != null) {
            java.util.regex.Matcher m = MISSING_RELATION.matcher(sql.getMessage());
            if (m.find() && (m.group(1).endsWith("gateway_backends") || m.group(1).endsWith("bypass_events"))) {
                // Still a failed poll (the posture stays degraded: blind is not protected), but said plainly.
                return "SQLSTATE " + UNDEFINED_TABLE + ": the gateway has not created its state schema in this database"
                        + " yet (relation " + LogSafe.text(m.group(1)) + " does not exist; the gateway creates "
                        + settings.stateSchema() + ".gateway_backends and " + settings.stateSchema()
                        + ".bypass_events when it starts): start the gateway against this database, or check that the"
                        + " gateway and the sidecar use the same database.url and database.stateSchema";
            }
        }
        if (e instanceof SQLException sql && sql.getSQLState() != null) {
            return "SQLSTATE " + sql.getSQLState() + ": " + LogSafe.text(sql.getMessage());
        }
        return e.getClass().getSimpleName() + ": " + LogSafe.text(e.getMessage());
    }
}
