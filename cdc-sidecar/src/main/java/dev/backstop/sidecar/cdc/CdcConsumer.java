package dev.backstop.sidecar.cdc;

import dev.backstop.sidecar.AlertSink;
import dev.backstop.sidecar.SidecarMetrics;
import dev.backstop.sidecar.pg.TableSchema;
import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.Heartbeat;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.RecoveryPointPublisher;
import dev.backstop.snapshot.SourceInfo;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.parquet.ChangeRecord;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Receives Debezium batches, groups changes by transaction (stamped with the commit LSN of its END event), and
 * acknowledges offsets only after a flush made everything up to them durable in S3 (at-least-once; replays are
 * recognised by LSN). Runs on the engine's thread only.
 */
public final class CdcConsumer implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {
    private static final Logger LOG = LoggerFactory.getLogger(CdcConsumer.class);

    private final RecoveryPoints points;
    private final TableRef heartbeatTable;
    private final RecoveryPointPublisher publisher;
    private final SourceInfo source;
    private final Durability durability;
    private final SidecarMetrics metrics;
    private final AlertSink alerts;
    private final Clock clock;
    private final long flushIntervalMillis;
    private final long maxBuffered;
    /** Half of sidecar.maxBufferedBytes: the most held for finished transactions, and for the open one. */
    private final long halfBufferBytes;
    private final Map<TableRef, Long> requested;

    private static final List<String> IMAGES = List.of("after", "before");
    private final List<Struct> txn = new ArrayList<>();
    private long txnBytes;
    /** Tables of an open transaction too large to hold: its changes are dropped and these tables re-based. */
    private final Set<TableRef> oversized = new LinkedHashSet<>();
    /** TableRef per (schema, table) of the stream, so a change does not build one. */
    private final Map<String, Map<String, TableRef>> tableRefs = new HashMap<>();
    private Lsn lastCommitLsn = Lsn.ZERO;
    /** The last transaction END not yet acknowledged: its offset is committed once everything before is durable. */
    private RecordChangeEvent<SourceRecord> unackedEnd;
    private long pendingHeartbeatSeq = -1;
    private Instant pendingHeartbeatWrittenAt;
    private Lsn pendingHeartbeatLsn;
    private long lastFlushMillis;
    private boolean failing;

    public CdcConsumer(RecoveryPoints points, TableRef heartbeatTable, RecoveryPointPublisher publisher,
                       SourceInfo source, Durability durability, SidecarMetrics metrics, AlertSink alerts, Clock clock,
                       long flushIntervalMillis, long maxBuffered, long maxBufferedBytes,
                       Map<TableRef, Long> requested) {
        this.points = points;
        this.heartbeatTable = heartbeatTable;
        this.publisher = publisher;
        this.source = source;
        this.durability = durability;
        this.metrics = metrics;
        this.alerts = alerts;
        this.clock = clock;
        this.flushIntervalMillis = flushIntervalMillis;
        this.maxBuffered = maxBuffered;
        this.halfBufferBytes = maxBufferedBytes / 2;
        this.requested = requested;
        this.lastFlushMillis = clock.millis();
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        for (RecordChangeEvent<SourceRecord> event : records) {
            SourceRecord r = event.record();
            if (r.topic().endsWith(".transaction") && r.value() instanceof Struct v) {
                if ("BEGIN".equals(v.getString("status"))) {
                    clearTransaction();
                } else if ("END".equals(v.getString("status"))) {
                    Map<String, ?> off = r.sourceOffset();
                    Lsn commit = Lsn.of(((Number) off.get("lsn")).longValue());
                    Object usec = off.get("ts_usec");
                    Instant commitTime = usec == null ? null
                            : Instant.EPOCH.plusNanos(((Number) usec).longValue() * 1000L);
                    endTransaction(commit, commitTime);
                    unackedEnd = event;
                }
            } else if (r.value() instanceof Struct s && s.schema().field("op") != null
                    && s.schema().field("source") != null) {
                hold(s);
            }
            // Anything else (Debezium's own heartbeats) carries no data and is acknowledged with the next END.
        }
        metrics.bufferedBytes.set(txnBytes + points.pendingBytes());
        maybeFlush(committer);
    }

    /**
     * Holds a change until its transaction ends. A transaction larger than half the buffer is not held: its changes
     * are dropped as they come and, once it has committed, each of its tables takes a new base (which contains it),
     * so memory stays bounded and nothing is lost; recovery points up to the commit before it stay valid.
     */
    private void hold(Struct s) {
        if (!oversized.isEmpty()) {
            oversized.add(tableOf(s));
            return;
        }
        txn.add(s);
        txnBytes += ChangeSizes.of(s);
        if (txnBytes > halfBufferBytes) {
            LOG.warn("a transaction holds more than {} bytes of changes (half of sidecar.maxBufferedBytes): its "
                    + "changes are not held; its tables take a new base after it commits", halfBufferBytes);
            for (Struct held : txn) {
                oversized.add(tableOf(held));
            }
            txn.clear();
            txnBytes = 0;
        }
    }

    private void clearTransaction() {
        txn.clear();
        txnBytes = 0;
        oversized.clear();
    }

    private void maybeFlush(DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        if (unackedEnd == null) {
            return;
        }
        boolean heartbeatDue = pendingHeartbeatSeq >= 0;
        boolean timeDue = clock.millis() - lastFlushMillis >= flushIntervalMillis;
        boolean full = bufferFull();
        if (!(heartbeatDue || timeDue || full)) {
            return; // nothing acknowledged: offsets stay where durable data is
        }
        long started = System.nanoTime();
        long pending = points.pendingCount();
        Set<TableRef> asked = Set.copyOf(requested.keySet());
        long heartbeatSeq = pendingHeartbeatSeq;
        while (true) {
            try {
                points.flush(lastCommitLsn, asked, Duration.ofMillis(flushIntervalMillis));
                if (heartbeatDue) {
                    // A requested table stays due until the flush of the heartbeat its flush call waits for (or a
                    // later one), so the manifests that call returns cover its LSN.
                    requested.entrySet().removeIf(e -> asked.contains(e.getKey()) && e.getValue() <= heartbeatSeq);
                }
                if (failing) {
                    LOG.info("flush to S3 works again; durable up to {}", lastCommitLsn);
                    failing = false;
                }
                break;
            } catch (Exception e) {
                if (Thread.currentThread().isInterrupted()
                        || e.getCause() instanceof java.nio.channels.ClosedByInterruptException) {
                    throw new InterruptedException("stopping"); // shutdown, not an S3 failure: nothing acknowledged
                }
                metrics.s3Errors.inc();
                if (!failing) {
                    alerts.alert("s3_failure", "critical", null, "flush to S3 failed (offsets and heartbeat"
                            + " not advanced; retrying): " + e);
                    LOG.error("flush to S3 failed (offsets and heartbeat not advanced; retrying until it works): {}",
                            e.toString());
                } else {
                    LOG.debug("flush to S3 failed again: {}", e.toString());
                }
                failing = true;
                if (!bufferFull()) {
                    lastFlushMillis = clock.millis(); // next attempt after another interval or heartbeat
                    return;
                }
                Thread.sleep(1000); // buffer full: hold the stream (PostgreSQL keeps the WAL) until S3 is back
            }
        }
        lastFlushMillis = clock.millis();
        metrics.durableLsn.set(lastCommitLsn.value());
        durability.flushed(lastCommitLsn);
        LOG.debug("flushed {} change(s) up to {} in {} ms", pending, lastCommitLsn,
                (System.nanoTime() - started) / 1_000_000);
        if (heartbeatDue) {
            try {
                publisher.writeHeartbeat(new Heartbeat(1, source.sidecarId(), source.database(),
                        source.systemIdentifier(), source.slotName(), pendingHeartbeatSeq, pendingHeartbeatWrittenAt,
                        pendingHeartbeatLsn, lastCommitLsn, clock.instant()));
                durability.durable(pendingHeartbeatSeq, pendingHeartbeatWrittenAt, lastCommitLsn);
                pendingHeartbeatSeq = -1;
            } catch (RuntimeException e) {
                metrics.s3Errors.inc();
                LOG.error("heartbeat publication failed: {}", e.toString());
            }
        }
        committer.markProcessed(unackedEnd);
        committer.markBatchFinished();
        unackedEnd = null;
        points.maintain();
    }

    private boolean bufferFull() {
        return points.pendingCount() >= maxBuffered || points.pendingBytes() >= halfBufferBytes;
    }

    private void endTransaction(Lsn commit, Instant commitTime) {
        Lsn previous = lastCommitLsn;
        if (!oversized.isEmpty()) {
            // Transactions arrive in commit order, so every commit before this one has been seen: the tables'
            // recovery points are exact up to just before it (a restore to "before this transaction" works).
            Lsn justBefore = Lsn.of(commit.value() - 1);
            metrics.oversizedTransactions.inc();
            for (TableRef t : oversized) {
                if (points.isTracked(t) && !points.skip(t, commit)) {
                    points.rebaseAfter(t, justBefore, true, "the transaction committed at " + commit
                            + " was too large to hold in memory (sidecar.maxBufferedBytes)");
                }
            }
        }
        // First pass: a change whose columns differ from the tracked schema stops that table's recording before this
        // transaction (so no part of it is recorded), and a new base follows.
        for (Struct s : txn) {
            TableRef t = tableOf(s);
            if (points.isTracked(t) && !points.skip(t, commit) && !columnsMatch(s, points.schemaOf(t))) {
                points.schemaChanged(t, previous);
            }
        }
        for (Struct s : txn) {
            TableRef t = tableOf(s);
            if (t.equals(heartbeatTable)) {
                Struct after = s.getStruct("after");
                if (after != null) {
                    pendingHeartbeatSeq = Math.max(pendingHeartbeatSeq, after.getInt64("seq"));
                    pendingHeartbeatWrittenAt = Instant.parse(after.get("written_at").toString());
                    pendingHeartbeatLsn = commit;
                }
                continue;
            }
            if (!points.isTracked(t) || points.skip(t, commit)) {
                continue; // untracked, a replay of something already durable, or awaiting a new base
            }
            try {
                points.add(t, change(s, t, commit, commitTime));
                metrics.events.inc();
            } catch (FormatException | IllegalStateException e) {
                points.markBroken(t, e.getMessage());
                LOG.error("{}: a change at {} cannot be recorded, no further recovery points for this table: {}",
                        t.qualifiedName(), commit, e.getMessage());
                alerts.alert("snapshot_failure", "critical", t.qualifiedName(), "a change at " + commit
                        + " cannot be recorded (" + e.getMessage() + "); the table's recovery points stop at "
                        + points.latest(t).map(vm -> vm.key()).orElse("(none)"));
            }
        }
        clearTransaction();
        lastCommitLsn = Lsn.max(lastCommitLsn, commit);
    }

    private TableRef tableOf(Struct s) {
        Struct src = s.getStruct("source");
        String schema = src.getString("schema");
        String table = src.getString("table");
        return tableRefs.computeIfAbsent(schema, k -> new HashMap<>())
                .computeIfAbsent(table, k -> new TableRef(source.database(), schema, table));
    }

    private ChangeRecord change(Struct s, TableRef t, Lsn commit, Instant commitTime) {
        TableSchema schema = points.schemaOf(t);
        String op = s.getString("op");
        Struct src = s.getStruct("source");
        Object[] before = image(s, "before", schema);
        Object[] after = image(s, "after", schema);
        if (before == null && ("u".equals(op) || "d".equals(op))) {
            // Without the old row a replay cannot find what to change: REPLICA IDENTITY is no longer FULL.
            throw new FormatException(("u".equals(op) ? "an UPDATE" : "a DELETE") + " arrived without its old row:"
                    + " the table's REPLICA IDENTITY is no longer FULL (ALTER TABLE " + t.qualifiedName()
                    + " REPLICA IDENTITY FULL, then restart the sidecar: it takes a new base)");
        }
        if (after != null) {
            RecoveryPoints.fillUnchanged(after, before);
        }
        Long xid = src.getInt64("txId");
        return new ChangeRecord(RecoveryPoints.opOf(op), commit, commitTime, xid == null ? 0 : xid,
                "c".equals(op) || "r".equals(op) || "t".equals(op) ? null : before,
                "d".equals(op) || "t".equals(op) ? null : after);
    }

    /** True if the change's row images have exactly the tracked columns, in order (a TRUNCATE has none). */
    static boolean columnsMatch(Struct s, TableSchema schema) {
        List<ColumnSpec> cols = schema.columns();
        for (String name : IMAGES) {
            Struct img = s.schema().field(name) == null ? null : s.getStruct(name);
            if (img != null) {
                List<Field> fields = img.schema().fields();
                if (fields.size() != cols.size()) {
                    return false;
                }
                for (int i = 0; i < fields.size(); i++) {
                    if (!fields.get(i).name().equals(cols.get(i).name())
                            || !sameNumericType(fields.get(i).schema().type(), cols.get(i))) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * A column whose type changed under the same name (ALTER .. TYPE bigint, say) must not be recorded with the old
     * encoding: an int8 value stored as int4 would be silently truncated. For the numeric and boolean encodings the
     * stream's field type must be the one the tracked encoding stores; other encodings are checked when converted.
     */
    private static boolean sameNumericType(org.apache.kafka.connect.data.Schema.Type streamed, ColumnSpec c) {
        return switch (c.encoding()) {
            case INT16 -> streamed == org.apache.kafka.connect.data.Schema.Type.INT16;
            case INT32 -> streamed == org.apache.kafka.connect.data.Schema.Type.INT32;
            case INT64 -> streamed == org.apache.kafka.connect.data.Schema.Type.INT64;
            case FLOAT32 -> streamed == org.apache.kafka.connect.data.Schema.Type.FLOAT32;
            case FLOAT64 -> streamed == org.apache.kafka.connect.data.Schema.Type.FLOAT64;
            case BOOL -> streamed == org.apache.kafka.connect.data.Schema.Type.BOOLEAN;
            default -> true;
        };
    }

    /** The row image's values in column order (the columns were checked to match, so fields are positional). */
    private static Object[] image(Struct s, String name, TableSchema schema) {
        if (s.schema().field(name) == null) {
            return null;
        }
        Struct img = s.getStruct(name);
        if (img == null) {
            return null;
        }
        List<ColumnSpec> cols = schema.columns();
        List<Field> fields = img.schema().fields();
        Object[] row = new Object[cols.size()];
        for (int i = 0; i < cols.size(); i++) {
            Field f = fields.get(i);
            row[i] = ConnectValues.convert(img.get(f), cols.get(i), f.schema());
        }
        return row;
    }
}
