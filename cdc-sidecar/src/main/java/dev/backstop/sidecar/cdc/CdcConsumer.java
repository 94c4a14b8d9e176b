package dev.backstop.sidecar.cdc;

import dev.backstop.sidecar.AlertSink;
import dev.backstop.sidecar.SidecarMetrics;
import dev.backstop.sidecar.pg.TableSchema;
import dev.backstop.snapshot.ColumnSpec;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Receives Debezium batches, groups changes by transaction (stamped with the transaction's commit LSN from its END
 * event), and acknowledges offsets only after a flush made everything up to them durable in S3.
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

    private final List<Struct> txn = new ArrayList<>();
    private Lsn lastCommitLsn = Lsn.ZERO;
    private long pendingHeartbeatSeq = -1;
    private Instant pendingHeartbeatWrittenAt;
    private Lsn pendingHeartbeatLsn;
    private long lastFlushMillis;

    public CdcConsumer(RecoveryPoints points, TableRef heartbeatTable, RecoveryPointPublisher publisher,
                       SourceInfo source, Durability durability, SidecarMetrics metrics, AlertSink alerts, Clock clock,
                       long flushIntervalMillis, long maxBuffered) {
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
        this.lastFlushMillis = clock.millis();
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        int lastEnd = -1;
        for (int i = 0; i < records.size(); i++) {
            SourceRecord r = records.get(i).record();
            if (r.topic().endsWith(".transaction")) {
                Struct v = (Struct) r.value();
                if ("BEGIN".equals(v.getString("status"))) {
                    txn.clear();
                } else if ("END".equals(v.getString("status"))) {
                    Map<String, ?> off = r.sourceOffset();
                    Lsn commit = Lsn.of(((Number) off.get("lsn")).longValue());
                    Object usec = off.get("ts_usec");
                    Instant commitTime = usec == null ? null
                            : Instant.EPOCH.plusNanos(((Number) usec).longValue() * 1000L);
                    endTransaction(commit, commitTime);
                    lastEnd = i;
                }
            } else if (r.value() instanceof Struct s && s.schema().field("op") != null) {
                txn.add(s);
            }
        }
        boolean heartbeatDue = pendingHeartbeatSeq >= 0;
        boolean timeDue = clock.millis() - lastFlushMillis >= flushIntervalMillis;
        boolean full = points.pendingCount() >= maxBuffered;
        if (lastEnd < 0 || !(heartbeatDue || timeDue || full)) {
            return; // nothing acknowledged: offsets stay where durable data is
        }
        while (true) {
            try {
                points.flush(lastCommitLsn);
                break;
            } catch (Exception e) {
                metrics.s3Errors.inc();
                LOG.error("flush to S3 failed (offsets and heartbeat not advanced; will retry): {}", e.toString());
                if (points.pendingCount() < maxBuffered) {
                    return; // keep buffering; retried on the next batch
                }
                Thread.sleep(1000); // buffer full: hold the stream (PostgreSQL keeps the WAL) until S3 is back
            }
        }
        lastFlushMillis = clock.millis();
        metrics.durableLsn.set(lastCommitLsn.value());
        if (heartbeatDue) {
            try {
                publisher.writeHeartbeat(new Heartbeat(1, source.sidecarId(), source.database(),
                        source.systemIdentifier(), source.slotName(), pendingHeartbeatSeq, pendingHeartbeatWrittenAt,
                        pendingHeartbeatLsn, lastCommitLsn, clock.instant()));
                metrics.heartbeatWrittenAt.set(pendingHeartbeatWrittenAt.toEpochMilli() / 1000.0);
                durability.durable(pendingHeartbeatSeq, lastCommitLsn);
                pendingHeartbeatSeq = -1;
            } catch (RuntimeException e) {
                metrics.s3Errors.inc();
                LOG.error("heartbeat publication failed: {}", e.toString());
            }
        }
        for (int i = 0; i <= lastEnd; i++) {
            committer.markProcessed(records.get(i));
        }
        committer.markBatchFinished();
    }

    private void endTransaction(Lsn commit, Instant commitTime) {
        for (Struct s : txn) {
            Struct src = s.getStruct("source");
            TableRef t = new TableRef(source.database(), src.getString("schema"), src.getString("table"));
            if (t.equals(heartbeatTable)) {
                Struct after = s.getStruct("after");
                if (after != null) {
                    pendingHeartbeatSeq = after.getInt64("seq");
                    pendingHeartbeatWrittenAt = Instant.parse(after.get("written_at").toString());
                    pendingHeartbeatLsn = commit;
                }
                continue;
            }
            if (!points.isTracked(t) || points.alreadyCovered(t, commit)) {
                continue; // untracked, or a replay of something already durable
            }
            TableSchema schema = points.schemaOf(t);
            String op = s.getString("op");
            Object[] before = image(s, "before", schema);
            Object[] after = image(s, "after", schema);
            if (after != null) {
                RecoveryPoints.fillUnchanged(after, before);
            }
            long xid = src.getInt64("txId") == null ? 0 : src.getInt64("txId");
            points.add(t, new ChangeRecord(RecoveryPoints.opOf(op), commit, commitTime, xid,
                    "c".equals(op) || "r".equals(op) || "t".equals(op) ? null : before,
                    "d".equals(op) || "t".equals(op) ? null : after));
            metrics.events.inc();
        }
        txn.clear();
        lastCommitLsn = Lsn.max(lastCommitLsn, commit);
    }

    private static Object[] image(Struct s, String name, TableSchema schema) {
        if (s.schema().field(name) == null) {
            return null;
        }
        Struct img = s.getStruct(name);
        if (img == null) {
            return null;
        }
        List<ColumnSpec> cols = schema.columns();
        Object[] row = new Object[cols.size()];
        for (int i = 0; i < cols.size(); i++) {
            Field f = img.schema().field(cols.get(i).name());
            if (f == null) {
                throw new IllegalStateException("column " + cols.get(i).name() + " of " + schema.table()
                        + " is missing from the change: the table's columns changed");
            }
            row[i] = ConnectValues.convert(img.get(f), cols.get(i), f.schema());
        }
        return row;
    }
}
