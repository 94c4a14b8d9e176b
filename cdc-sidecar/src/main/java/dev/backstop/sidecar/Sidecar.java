package dev.backstop.sidecar;

import dev.backstop.sidecar.cdc.CdcConsumer;
import dev.backstop.sidecar.cdc.Durability;
import dev.backstop.sidecar.cdc.RecoveryPoints;
import dev.backstop.sidecar.pg.BaseCopier;
import dev.backstop.sidecar.pg.PgCatalog;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.RecoveryPointPublisher;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.SourceInfo;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.snapshot.store.S3ObjectStore;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Wires the sidecar: slot, bases, Debezium engine, heartbeat writer. {@link #close()} stops it cleanly. */
public final class Sidecar implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sidecar.class);
    public static final String STATE_SCHEMA = "backstop_sidecar";

    private final SidecarConfig config;
    private final ObjectStore store;
    private final Clock clock;
    private final SidecarMetrics metrics = new SidecarMetrics();
    private final Durability durability = new Durability();
    private final AtomicLong heartbeatSeq = new AtomicLong();
    private final AlertSink alerts;
    private RecoveryPoints points;
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private ExecutorService engineThread;
    private ScheduledExecutorService heartbeatThread;
    private String database;

    public Sidecar(SidecarConfig config, ObjectStore store, Clock clock, AlertSink alerts) {
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.alerts = alerts;
    }

    public static Sidecar create(SidecarConfig config) {
        return new Sidecar(config, S3ObjectStore.create(config.s3()), Clock.systemUTC(), AlertSink.logging());
    }

    public SidecarMetrics metrics() {
        return metrics;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(config.jdbcUrl(), config.replicationUser(), config.replicationPassword());
    }

    public void start() throws SQLException, IOException {
        Files.createDirectories(config.stateDir());
        Path offsets = config.stateDir().resolve("offsets-" + config.sidecarId() + ".dat");
        SourceInfo source;
        List<TableRef> tracked;
        boolean forceNewBase = false;
        TableRef heartbeatTable;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            database = c.getCatalog();
            heartbeatTable = new TableRef(database, STATE_SCHEMA, "heartbeat");
            s.execute("CREATE SCHEMA IF NOT EXISTS " + STATE_SCHEMA);
            s.execute("CREATE TABLE IF NOT EXISTS " + STATE_SCHEMA + ".heartbeat (sidecar_id text PRIMARY KEY,"
                    + " seq bigint NOT NULL, written_at timestamptz NOT NULL)");
            String sysId;
            long timeline;
            try (ResultSet rs = s.executeQuery("SELECT system_identifier::text, (SELECT timeline_id FROM"
                    + " pg_control_checkpoint()) FROM pg_control_system()")) {
                rs.next();
                sysId = rs.getString(1);
                timeline = rs.getLong(2);
            }
            source = new SourceInfo(database, sysId, timeline, config.sidecarId(), config.slotName());
            tracked = PgCatalog.matchingTables(c, database, config.tablePatterns(), STATE_SCHEMA);
            for (TableRef t : tracked) {
                // Full old images: tables without a primary key replay, unchanged TOASTed values are recoverable.
                s.execute("ALTER TABLE " + BaseCopier.quote(t.schema()) + "." + BaseCopier.quote(t.name())
                        + " REPLICA IDENTITY FULL");
            }
            // The publication lists exactly the tracked tables and the heartbeat table (created before the slot is
            // read from, so the stream carries them).
            StringBuilder pubTables = new StringBuilder();
            for (TableRef t : tracked) {
                pubTables.append(BaseCopier.quote(t.schema())).append('.').append(BaseCopier.quote(t.name())).append(", ");
            }
            pubTables.append(STATE_SCHEMA).append(".heartbeat");
            boolean pubExists;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
                ps.setString(1, config.publicationName());
                try (ResultSet rs = ps.executeQuery()) {
                    pubExists = rs.next();
                }
            }
            s.execute((pubExists ? "ALTER PUBLICATION " + BaseCopier.quote(config.publicationName()) + " SET TABLE "
                    : "CREATE PUBLICATION " + BaseCopier.quote(config.publicationName()) + " FOR TABLE ") + pubTables);
            boolean slotExists;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, config.slotName());
                try (ResultSet rs = ps.executeQuery()) {
                    slotExists = rs.next();
                }
            }
            if (!slotExists) {
                if (Files.exists(offsets)) {
                    LOG.error("replication slot {} is gone although offsets exist: changes since the last durable"
                            + " point may be lost; taking new bases of every table", config.slotName());
                    alerts.alert("slot_lost", "critical", null, "replication slot " + config.slotName()
                            + " vanished; new bases taken");
                    metrics.slotLost.set(1);
                    Files.delete(offsets);
                    forceNewBase = true;
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
                    ps.setString(1, config.slotName());
                    ps.execute();
                }
            }
        }
        RecoveryPointPublisher publisher = new RecoveryPointPublisher(store, new SnapshotKeys(config.s3().prefix()), clock);
        RecoveryPointCatalog catalog = new RecoveryPointCatalog(store, new SnapshotKeys(config.s3().prefix()));
        BaseCopier copier = new BaseCopier(config.jdbcUrl(), config.replicationUser(), config.replicationPassword(),
                publisher, config.stateDir(), config.partBytes(), clock);
        Map<String, List<TableRef>> groups = new LinkedHashMap<>();
        config.recoveryGroups().forEach((g, members) -> groups.put(g,
                members.stream().map(m -> TableRef.parse(database, m)).toList()));
        points = new RecoveryPoints(publisher, catalog, copier, source, config.stateDir(), clock, groups);
        try (Connection c = connect()) {
            for (TableRef t : tracked) {
                points.track(PgCatalog.describe(c, t).orElseThrow(), forceNewBase);
            }
        }
        CdcConsumer consumer = new CdcConsumer(points, heartbeatTable, publisher, source, durability, metrics, alerts,
                clock, config.flushIntervalSeconds() * 1000L, config.maxBufferedChanges());
        List<TableRef> include = new ArrayList<>(tracked);
        include.add(heartbeatTable);
        engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(debeziumProperties(offsets, include))
                .notifying(consumer)
                .using((success, message, error) -> {
                    if (!success) {
                        LOG.error("CDC engine stopped: {}", message, error);
                    }
                })
                .build();
        engineThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "backstop-cdc"));
        engineThread.submit(engine);
        heartbeatThread = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "backstop-heartbeat"));
        heartbeatThread.scheduleWithFixedDelay(this::heartbeatQuietly, 1, config.heartbeatIntervalSeconds(),
                TimeUnit.SECONDS);
    }

    private Properties debeziumProperties(Path offsets, List<TableRef> include) {
        java.net.URI u = java.net.URI.create(config.jdbcUrl().substring("jdbc:".length()));
        Properties p = new Properties();
        p.setProperty("name", "backstop-" + config.sidecarId());
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", offsets.toString());
        p.setProperty("offset.flush.interval.ms", "0");
        p.setProperty("database.hostname", u.getHost());
        p.setProperty("database.port", String.valueOf(u.getPort() < 0 ? 5432 : u.getPort()));
        p.setProperty("database.user", config.replicationUser());
        p.setProperty("database.password", config.replicationPassword());
        p.setProperty("database.dbname", database);
        p.setProperty("topic.prefix", "backstop");
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", config.slotName());
        p.setProperty("publication.name", config.publicationName());
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("table.include.list", String.join(",", include.stream().map(Sidecar::regex).toList()));
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("provide.transaction.metadata", "true");
        p.setProperty("skipped.operations", "none");
        p.setProperty("decimal.handling.mode", "string");
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("include.unknown.datatypes", "true");
        p.setProperty("unavailable.value.placeholder", dev.backstop.sidecar.cdc.ConnectValues.UNAVAILABLE);
        p.setProperty("poll.interval.ms", "50");
        p.setProperty("heartbeat.interval.ms", "1000");
        p.setProperty("max.batch.size", "4096");
        p.setProperty("max.queue.size", "16384");
        return p;
    }

    private static String regex(TableRef t) {
        return (t.schema() + "." + t.name()).replaceAll("([^A-Za-z0-9_])", "\\\\$1");
    }

    private void heartbeatQuietly() {
        try {
            writeHeartbeat();
        } catch (SQLException e) {
            LOG.warn("heartbeat row could not be written: {}", e.getMessage());
        }
    }

    /** Writes a heartbeat row through PostgreSQL; returns its sequence number. */
    public long writeHeartbeat() throws SQLException {
        long seq = heartbeatSeq.updateAndGet(x -> Math.max(x + 1, clock.millis()));
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO " + STATE_SCHEMA
                + ".heartbeat (sidecar_id, seq, written_at) VALUES (?, ?, clock_timestamp()) ON CONFLICT (sidecar_id)"
                + " DO UPDATE SET seq = excluded.seq, written_at = excluded.written_at")) {
            ps.setString(1, config.sidecarId());
            ps.setLong(2, seq);
            ps.executeUpdate();
        }
        return seq;
    }

    /** Result of a flush: the durable LSN and each requested table's manifest covering it. */
    public record FlushResult(Lsn lsn, Map<TableRef, VerifiedManifest> manifests) {
    }

    /**
     * Returns once every change committed before the call is durable in S3 (a heartbeat row written now came back
     * through the stream and everything before it was flushed), or null on timeout.
     */
    public FlushResult flush(List<TableRef> tables, long timeoutMillis) throws SQLException, InterruptedException {
        long seq = writeHeartbeat();
        Lsn lsn = durability.awaitHeartbeat(seq, timeoutMillis);
        if (lsn == null) {
            return null;
        }
        Map<TableRef, VerifiedManifest> out = new LinkedHashMap<>();
        synchronized (this) {
            for (TableRef t : tables.isEmpty() ? new ArrayList<>(points.trackedTables()) : tables) {
                points.latest(t).ifPresent(vm -> out.put(t, vm));
            }
        }
        return new FlushResult(lsn, out);
    }

    public String database() {
        return database;
    }

    @Override
    public void close() throws IOException {
        if (heartbeatThread != null) {
            heartbeatThread.shutdownNow();
        }
        if (engine != null) {
            engine.close();
        }
        if (engineThread != null) {
            engineThread.shutdown();
            try {
                engineThread.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        store.close();
    }
}
