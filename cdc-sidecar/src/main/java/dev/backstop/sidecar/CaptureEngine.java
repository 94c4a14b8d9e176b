package dev.backstop.sidecar;

import dev.backstop.sidecar.cdc.CdcConsumer;
import dev.backstop.sidecar.cdc.ConnectValues;
import dev.backstop.sidecar.cdc.RecoveryPoints;
import dev.backstop.snapshot.TableRef;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The Debezium embedded engine (PostgreSQL connector, pgoutput) on its own thread. If it stops on an error (e.g.
 * PostgreSQL restarted), changes not yet durable are discarded and a new engine resumes from the last acknowledged
 * offset after a pause, so nothing is lost or recorded twice. {@code beforeRestart} runs on this thread (no consumer
 * is active then) before each restart. A planned restart ({@link #restartToTakeOnTables}) does the same without the
 * pause or the alert: it is how tables that appear while the sidecar runs are taken on.
 */
final class CaptureEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureEngine.class);
    private static final long RESTART_DELAY_MILLIS = 5_000;

    private final SidecarConfig config;
    private final String database;
    private final Path offsets;
    private final Supplier<List<TableRef>> include;
    private final SidecarMetrics metrics;
    private final AlertSink alerts;
    private final RecoveryPoints points;
    private final Supplier<CdcConsumer> consumers;
    private final Runnable beforeRestart;
    private final Thread thread;
    private volatile boolean closing;
    private volatile boolean running;
    private volatile boolean planned;
    private volatile DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;

    CaptureEngine(SidecarConfig config, String database, Path offsets, Supplier<List<TableRef>> include,
                  SidecarMetrics metrics,
                  AlertSink alerts, RecoveryPoints points, Supplier<CdcConsumer> consumers, Runnable beforeRestart) {
        this.config = config;
        this.database = database;
        this.offsets = offsets;
        this.include = include;
        this.metrics = metrics;
        this.alerts = alerts;
        this.points = points;
        this.consumers = consumers;
        this.beforeRestart = beforeRestart;
        this.thread = new Thread(this::loop, "backstop-cdc");
    }

    void start() {
        running = true;
        metrics.engineRunning.set(1);
        thread.start();
    }

    boolean isRunning() {
        return running;
    }

    /**
     * Stops the running engine so that it restarts at once from the last durable offset, after
     * {@code beforeRestart} (which takes on new tables) and with the include list read again. Ignored unless an
     * engine is running.
     */
    void restartToTakeOnTables() {
        DebeziumEngine<RecordChangeEvent<SourceRecord>> e = engine;
        if (closing || !running || e == null || planned) {
            return;
        }
        planned = true;
        try {
            e.close();
        } catch (IOException ex) {
            planned = false;
            LOG.warn("stopping the CDC engine to take on new tables failed: {}", ex.toString());
        }
    }

    private void loop() {
        boolean alerted = false;
        while (!closing) {
            String[] failure = new String[1];
            DebeziumEngine<RecordChangeEvent<SourceRecord>> e = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                    .using(properties())
                    .notifying(consumers.get())
                    .using((success, message, error) -> {
                        if (!success) {
                            failure[0] = message + (error == null ? "" : ": " + error);
                        }
                    })
                    .build();
            engine = e;
            if (closing) {
                break;
            }
            e.run(); // returns when the engine stops
            engine = null; // no planned restart until the next engine runs
            if (closing) {
                break;
            }
            if (planned) {
                planned = false;
                LOG.info("CDC engine stopped to take on new tables; restarting from the last durable offset");
            } else {
                running = false;
                metrics.engineRunning.set(0);
                LOG.error("CDC engine stopped ({}); restarting from the last durable offset in {} ms",
                        failure[0] == null ? "no reason given" : failure[0], RESTART_DELAY_MILLIS);
                if (!alerted) {
                    alerts.alert("snapshot_failure", "critical", null, "CDC engine stopped: " + failure[0]
                            + "; recovery points and heartbeat do not advance until it runs again");
                    alerted = true;
                }
                try {
                    Thread.sleep(RESTART_DELAY_MILLIS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
            points.discardPending();
            while (!closing) {
                try {
                    beforeRestart.run(); // e.g. the slot vanished: new bases before streaming again
                    break;
                } catch (RuntimeException ex) {
                    LOG.error("preparing the CDC restart failed (retrying in {} ms): {}", RESTART_DELAY_MILLIS,
                            ex.toString());
                    try {
                        Thread.sleep(RESTART_DELAY_MILLIS);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
            running = true;
            metrics.engineRunning.set(1);
        }
    }

    private Properties properties() {
        URI u = URI.create(config.jdbcUrl().substring("jdbc:".length()));
        Properties p = new Properties();
        p.setProperty("name", "backstop-" + config.sidecarId());
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", offsets.toString());
        // Offsets are written whenever the consumer acknowledges, which it does only after a flush to S3.
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
        // The publication is created and kept exact by ReplicationSetup; Debezium must not change it.
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", String.join(",", include.get().stream().map(CaptureEngine::regex).toList()));
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("provide.transaction.metadata", "true");
        p.setProperty("skipped.operations", "none");
        p.setProperty("tombstones.on.delete", "false"); // Kafka compaction markers: nothing for us, half the work
        p.setProperty("decimal.handling.mode", "string");
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("include.unknown.datatypes", "true");
        p.setProperty("unavailable.value.placeholder", ConnectValues.UNAVAILABLE);
        p.setProperty("poll.interval.ms", "50");
        p.setProperty("heartbeat.interval.ms", "1000");
        p.setProperty("max.batch.size", "8192");
        p.setProperty("max.queue.size", "32768");
        // Debezium's own queue is bounded in bytes too, by a quarter of the change buffer's budget.
        p.setProperty("max.queue.size.in.bytes", Long.toString(config.maxBufferedBytes() / 4));
        p.setProperty("errors.max.retries", "3");
        return p;
    }

    private static String regex(TableRef t) {
        return (t.schema() + "." + t.name()).replaceAll("([^A-Za-z0-9_])", "\\\\$1");
    }

    @Override
    public void close() {
        closing = true;
        DebeziumEngine<RecordChangeEvent<SourceRecord>> e = engine;
        if (e != null) {
            try {
                e.close();
            } catch (IOException ex) {
                LOG.warn("closing the CDC engine: {}", ex.toString());
            }
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        running = false;
    }
}
