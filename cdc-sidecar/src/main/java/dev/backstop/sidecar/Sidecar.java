package dev.backstop.sidecar;

import dev.backstop.sidecar.cdc.CdcConsumer;
import dev.backstop.sidecar.cdc.Durability;
import dev.backstop.sidecar.cdc.RecoveryPoints;
import dev.backstop.sidecar.http.SidecarHttp;
import dev.backstop.sidecar.pg.BaseCopier;
import dev.backstop.sidecar.pg.HeartbeatWriter;
import dev.backstop.sidecar.pg.PgCatalog;
import dev.backstop.sidecar.pg.ReplicationSetup;
import dev.backstop.sidecar.pg.TableMissingException;
import dev.backstop.sidecar.pg.TableSchema;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.RecoveryPointPublisher;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.SourceInfo;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.snapshot.store.S3ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running sidecar: every tracked table has a base and its changes flow into recovery points in S3.
 * <pre>
 * try (Sidecar s = Sidecar.start(SidecarConfig.load(Path.of("config.yml")))) {
 *     s.awaitInitialRecoveryPoints(Duration.ofMinutes(1));
 *     Optional&lt;Sidecar.FlushResult&gt; r = s.flush(List.of(table), Duration.ofSeconds(30));
 * }
 * </pre>
 * {@link #start} returns once the slot exists, every tracked table has its first recovery point and capture runs.
 */
public final class Sidecar implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sidecar.class);

    private final SidecarConfig config;
    private final ObjectStore store;
    private final Clock clock;
    private final AlertSink alerts;
    private final SidecarMetrics metrics = new SidecarMetrics();
    private final Durability durability = new Durability();
    private final HeartbeatWriter heartbeat;
    /** Tables named by flush calls, published at the next flush even without changes (drained by the consumer). */
    /** Tables a flush call asked for, with the heartbeat sequence number that call waits for. */
    private final Map<TableRef, Long> flushRequests = new ConcurrentHashMap<>();
    private RecoveryPoints points;
    private CaptureEngine capture;
    private TrackedOids trackedOids;
    /**
     * Tables that appeared after start-up and could not be taken on, with when it failed: alerted by the monitor
     * and tried again only after {@link #TAKE_ON_RETRY} (the cause may be passing, e.g. S3 down).
     */
    private final Map<TableRef, Instant> cannotTakeOn = new ConcurrentHashMap<>();
    static final Duration TAKE_ON_RETRY = Duration.ofMinutes(10);
    private ScheduledExecutorService ticker;
    private SidecarHttp http;
    private String database;

    private Sidecar(SidecarConfig config, ObjectStore store, Clock clock, AlertSink alerts) {
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.alerts = alerts;
        this.heartbeat = new HeartbeatWriter(this::connect, config.sidecarId(), clock);
    }

    /** Starts a sidecar on real S3 with the system clock and alerts logged. */
    public static Sidecar start(SidecarConfig config) throws SQLException, IOException {
        return start(config, S3ObjectStore.create(config.s3()), Clock.systemUTC(), AlertSink.logging());
    }

    /** Starts a sidecar; the store is closed with it. On failure everything started so far is stopped. */
    public static Sidecar start(SidecarConfig config, ObjectStore store, Clock clock, AlertSink alerts)
            throws SQLException, IOException {
        Sidecar s = new Sidecar(config, store, clock, alerts);
        try {
            s.run();
            return s;
        } catch (SQLException | IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void run() throws SQLException, IOException {
        Files.createDirectories(config.stateDir());
        Path offsets = config.stateDir().resolve("offsets-" + config.sidecarId() + ".dat");
        SourceInfo source;
        List<TableRef> tracked;
        boolean forceNewBase = false;
        try (Connection c = connect()) {
            ReplicationSetup.createStateTables(c);
            source = ReplicationSetup.sourceInfo(c, config.sidecarId(), config.slotName());
            database = source.database();
            tracked = PgCatalog.matchingTables(c, database, config.tablePatterns(), ReplicationSetup.STATE_SCHEMA);
            if (tracked.isEmpty()) {
                LOG.warn("no table matches sidecar.tables {}: nothing is protected", config.tablePatterns());
            }
            ReplicationSetup.setReplicaIdentityFull(c, tracked);
            ReplicationSetup.publish(c, config.publicationName(), tracked);
            if (!ReplicationSetup.slotExists(c, config.slotName())) {
                if (Files.exists(offsets)) {
                    LOG.error("replication slot {} is gone although offsets exist: changes since the last durable"
                            + " point may be lost; taking new bases of every table", config.slotName());
                    alerts.alert("snapshot_failure", "critical", null, "replication slot " + config.slotName()
                            + " vanished; changes since the last recovery points may be lost; new bases taken");
                    metrics.slotLost.set(1);
                    // Recorded before anything moves on: if a base fails, the next start still takes it.
                    for (TableRef t : tracked) {
                        RecoveryPoints.requireNewBase(config.stateDir(), t, "replication slot lost");
                    }
                    Files.delete(offsets);
                }
                // A new slot streams from now on: whatever recovery points exist in S3 end before it, with a gap
                // nobody can see (also when the offsets were lost with it). Every table starts from a new base.
                forceNewBase = true;
                ReplicationSetup.createSlot(c, config.slotName());
            }
        }
        SnapshotKeys keys = new SnapshotKeys(config.s3().prefix());
        RecoveryPointPublisher publisher = new RecoveryPointPublisher(store, keys, clock);
        BaseCopier copier = new BaseCopier(config.jdbcUrl(), config.replicationUser(), config.replicationPassword(),
                publisher, config.stateDir(), config.partBytes(), clock,
                config.baseParallelism() > 0 ? config.baseParallelism() : BaseCopier.defaultParallelism());
        Map<String, List<TableRef>> groups = new LinkedHashMap<>();
        config.recoveryGroups().forEach((g, members) -> groups.put(g,
                members.stream().map(m -> TableRef.parse(database, m)).toList()));
        points = new RecoveryPoints(publisher, new RecoveryPointCatalog(store, keys), copier, source,
                config.stateDir(), clock, groups, metrics);
        points.enableMaintenance(new RecoveryPoints.Maintenance(config.compactAfterDeltas(), config.compactMaxRows(),
                Duration.ofHours(config.retentionHours()), Duration.ofMinutes(config.retentionSweepMinutes())), store);
        TrackedOids known = new TrackedOids(config.stateDir().resolve("tables-" + config.sidecarId() + ".properties"));
        Map<TableRef, Long> oids = new LinkedHashMap<>();
        try (Connection c = connect()) {
            for (TableRef t : tracked) {
                long oid = PgCatalog.oidOf(c, t).orElseThrow(() -> new SQLException(t + " vanished"));
                points.track(PgCatalog.describe(c, t).orElseThrow(() -> new SQLException(t + " vanished")), oid,
                        known.previous(t), forceNewBase);
                oids.put(t, oid);
            }
        }
        known.save(oids);
        TableRef heartbeatTable = ReplicationSetup.heartbeatTable(database);
        this.trackedOids = known;
        capture = new CaptureEngine(config, database, offsets, () -> {
                    List<TableRef> include = new ArrayList<>(points.trackedTables());
                    include.add(heartbeatTable);
                    return include;
                }, metrics, alerts, points,
                () -> new CdcConsumer(points, heartbeatTable, publisher, source, durability, metrics, alerts, clock,
                        config.flushIntervalSeconds() * 1000L, config.maxBufferedChanges(), config.maxBufferedBytes(),
                        flushRequests),
                () -> {
                    rebaseIfSlotLost(offsets);
                    takeOnNewTables();
                });
        capture.start();
        TableMonitor monitor = new TableMonitor(heartbeat, this::connect, points, durability, metrics, alerts, clock,
                c -> PgCatalog.matchingTables(c, database, config.tablePatterns(), ReplicationSetup.STATE_SCHEMA),
                new TableMonitor.TakeOn() {
                    @Override
                    public void restart() {
                        capture.restartToTakeOnTables();
                    }

                    @Override
                    public boolean failed(TableRef t) {
                        return recentlyFailed(t);
                    }
                });
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "backstop-sidecar-monitor");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(monitor::tick, 0, config.heartbeatIntervalSeconds(), TimeUnit.SECONDS);
        ticker.scheduleWithFixedDelay(monitor::updateFreshness, 1, 1, TimeUnit.SECONDS);
        if (config.httpPort() >= 0) {
            http = SidecarHttp.start(this, config.httpBindHost(), config.httpPort(), config.httpToken());
        }
        LOG.info("sidecar {} capturing {} table(s) of {} (slot {})", config.sidecarId(), tracked.size(), database,
                config.slotName());
    }

    /**
     * Before the CDC engine restarts: if the slot vanished meanwhile, changes since the last durable point are gone
     * from PostgreSQL. Loud error, alert, metric, a new slot and new bases of every table (so recovery points are
     * complete again from now on); the old offsets no longer apply.
     */
    private void rebaseIfSlotLost(Path offsets) {
        try (Connection c = connect()) {
            if (!ReplicationSetup.slotExists(c, config.slotName())) {
                LOG.error("replication slot {} vanished while running: changes since the last durable point may be"
                        + " lost; taking new bases of every table", config.slotName());
                alerts.alert("snapshot_failure", "critical", null, "replication slot " + config.slotName()
                        + " vanished; changes since the last recovery points may be lost; new bases taken");
                metrics.slotLost.set(1);
                // Recorded first: a base that fails (S3 down) is taken at the next try or the next start.
                for (TableRef t : points.trackedTables()) {
                    RecoveryPoints.requireNewBase(config.stateDir(), t, "replication slot lost");
                }
                Files.deleteIfExists(offsets);
                ReplicationSetup.createSlot(c, config.slotName());
            }
            for (TableRef t : points.trackedTables()) {
                if (!points.isGone(t) && points.needsNewBase(t)) {
                    try {
                        points.newBase(t);
                    } catch (TableMissingException gone) {
                        points.markGone(t); // the table monitor alerts, naming its last recovery point
                    } catch (SQLException | IOException | RuntimeException e) {
                        // Its recovery points stop (flush refuses it) until a later restart's base succeeds;
                        // the other tables go on.
                        points.markBroken(t, "no new base after its changes may have been lost: " + e.getMessage());
                        alerts.alert("snapshot_failure", "critical", t.qualifiedName(), "new base failed ("
                                + e.getMessage() + "); its recovery points stop until one succeeds");
                    }
                }
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("slot check before restart failed: " + e.getMessage(), e);
        }
    }

    /**
     * Before a CDC restart (the engine is stopped, no consumer runs): takes on the tables that match
     * {@code sidecar.tables} but are not tracked, as at start-up: REPLICA IDENTITY FULL, the publication, a base.
     * The base is taken after the publication lists the table, so every later change is streamed; changes up to the
     * base's LSN are in it. A table that cannot be taken on is logged and left out (the monitor alerts it); it never
     * keeps the engine from restarting.
     */
    private void takeOnNewTables() {
        try (Connection c = connect()) {
            List<TableRef> fresh = points.toTakeOn(PgCatalog.matchingTables(c, database, config.tablePatterns(),
                    ReplicationSetup.STATE_SCHEMA)).stream().filter(t -> !recentlyFailed(t)).toList();
            List<TableRef> ready = new ArrayList<>();
            for (TableRef t : fresh) {
                try {
                    ReplicationSetup.setReplicaIdentityFull(c, List.of(t));
                    ready.add(t);
                } catch (SQLException e) { // e.g. the sidecar's role does not own the table
                    cannotTakeOn(t, e);
                }
            }
            if (ready.isEmpty()) {
                return;
            }
            List<TableRef> published = new ArrayList<>();
            points.trackedTables().stream().filter(t -> !points.isGone(t)).forEach(published::add);
            published.addAll(ready);
            try {
                ReplicationSetup.publish(c, config.publicationName(), published);
            } catch (SQLException e) {
                ready.forEach(t -> cannotTakeOn(t, e)); // not retried at every check: that would restart CDC each time
                return;
            }
            Map<TableRef, Long> oids = new LinkedHashMap<>();
            for (TableRef t : points.trackedTables()) {
                oids.put(t, points.oidOf(t));
            }
            for (TableRef t : ready) {
                try {
                    Optional<Long> oid = PgCatalog.oidOf(c, t);
                    Optional<TableSchema> schema = PgCatalog.describe(c, t);
                    if (oid.isPresent() && schema.isPresent()) {
                        // A name tracked before (its table dropped or replaced): the recorded OID forces a new base.
                        long previous = points.isTracked(t) ? points.oidOf(t) : trackedOids.previous(t);
                        points.track(schema.get(), oid.get(), previous, false);
                        oids.put(t, oid.get());
                        LOG.info("{} appeared after start-up and is now tracked", t.qualifiedName());
                    }
                } catch (SQLException | IOException | RuntimeException e) {
                    cannotTakeOn(t, e);
                }
            }
            trackedOids.save(oids);
        } catch (SQLException | IOException e) {
            LOG.error("taking on new tables failed (they stay untracked; the next check tries again): {}",
                    e.toString());
        }
    }

    private void cannotTakeOn(TableRef t, Exception e) {
        cannotTakeOn.put(t, clock.instant());
        LOG.error("{} appeared after start-up but cannot be tracked (tried again in {} min): {}", t.qualifiedName(),
                TAKE_ON_RETRY.toMinutes(), e.toString());
    }

    private boolean recentlyFailed(TableRef t) {
        Instant at = cannotTakeOn.get(t);
        return at != null && at.plus(TAKE_ON_RETRY).isAfter(clock.instant());
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(config.jdbcUrl(), config.replicationUser(), config.replicationPassword());
    }

    public SidecarMetrics metrics() {
        return metrics;
    }

    public String database() {
        return database;
    }

    /** The HTTP port actually bound (useful with {@code httpPort: 0}), or -1 when HTTP is off. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public List<TableRef> trackedTables() {
        return new ArrayList<>(points.trackedTables());
    }

    /** False once the CDC engine stopped on an error it could not recover from. */
    public boolean isCapturing() {
        return capture != null && capture.isRunning();
    }

    /** The highest commit LSN durable in S3. */
    public Lsn durableLsn() {
        return durability.durableLsn();
    }

    /**
     * Waits until every tracked table has a recovery point and a heartbeat was published (CDC is live and durable).
     * Returns false on timeout.
     */
    public boolean awaitInitialRecoveryPoints(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean all = points.trackedTables().stream().allMatch(t -> points.latest(t).isPresent());
            if (all && durability.heartbeatWrittenAt() != null) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(50);
        }
    }

    /**
     * Result of a flush: the LSN durable in S3 (every change committed before the flush call is at or before it), the
     * latest manifest of each requested tracked table (normally covering that LSN; a table without changes since its
     * last recovery point, or one that is gone, may show a lower covered LSN with the same contents), and the
     * requested tables this sidecar does not track.
     */
    /**
     * {@code refused}: tracked tables whose latest recovery point does not cover {@code lsn} and cannot (a value
     * that could not be stored, the table dropped or replaced), with the reason: the caller must not rely on them.
     */
    public record FlushResult(Lsn lsn, Map<TableRef, VerifiedManifest> manifests, List<TableRef> untracked,
                              Map<TableRef, String> refused) {
    }

    /**
     * Returns once every change committed before the call is durable in S3: a heartbeat row written now came back
     * through the stream and everything before it was flushed. Empty on timeout (S3 or CDC unhealthy). An empty
     * {@code tables} means every tracked table.
     */
    public Optional<FlushResult> flush(Collection<TableRef> tables, Duration timeout)
            throws SQLException, InterruptedException {
        // The request is registered under the heartbeat's number before the row exists: a flush of an earlier
        // heartbeat publishes the tables too but does not count as this one (its LSN may be before this call).
        long seq = heartbeat.reserve();
        for (TableRef t : tables.isEmpty() ? points.trackedTables() : tables) {
            flushRequests.merge(t, seq, Math::max);
        }
        heartbeat.write(seq);
        Lsn lsn = durability.awaitHeartbeat(seq, timeout.toMillis());
        if (lsn == null) {
            return Optional.empty();
        }
        Map<TableRef, VerifiedManifest> out = new LinkedHashMap<>();
        List<TableRef> untracked = new ArrayList<>();
        Map<TableRef, String> refused = new LinkedHashMap<>();
        Collection<TableRef> wanted = tables.isEmpty() ? points.trackedTables() : tables;
        // The name must still be the relation whose changes were recorded: a table dropped, or renamed away and
        // replaced by another of the same name, since the table monitor's last look must not be vouched for.
        Map<TableRef, Long> oidsNow = new LinkedHashMap<>();
        try (Connection c = connect()) {
            for (TableRef t : wanted) {
                if (points.isTracked(t)) {
                    oidsNow.put(t, PgCatalog.oidOf(c, t).orElse(0L));
                }
            }
        }
        for (TableRef t : wanted) {
            Optional<VerifiedManifest> vm = points.isTracked(t) ? points.latest(t) : Optional.empty();
            Optional<String> why = points.isTracked(t) ? points.notCapturing(t) : Optional.empty();
            if (why.isEmpty() && points.isTracked(t) && oidsNow.get(t) != points.oidOf(t)) {
                why = Optional.of(oidsNow.get(t) == 0 ? "the table no longer exists"
                        : "the name now refers to another table (oid " + oidsNow.get(t) + ", recorded " + points.oidOf(t)
                        + "): it is taken on as a new table");
            }
            if (why.isPresent()) {
                if (!tables.isEmpty()) {
                    refused.put(t, why.get()); // named by the caller: it must not be vouched for
                } // else "every table": the ones that cannot be are left out of the answer
            } else if (vm.isEmpty()) {
                untracked.add(t);
            } else {
                out.put(t, vm.get());
            }
        }
        return Optional.of(new FlushResult(lsn, out, untracked, refused));
    }

    @Override
    public void close() {
        if (http != null) {
            http.stop();
        }
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (capture != null) {
            capture.close();
        }
        store.close();
    }
}
