package dev.backstop.sidecar.cdc;

import dev.backstop.sidecar.pg.BaseCopier;
import dev.backstop.sidecar.pg.TableSchema;
import dev.backstop.snapshot.FileKind;
import dev.backstop.snapshot.GroupRecoveryPoint;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.RecoveryPointPublisher;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.SourceInfo;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.parquet.ChangeOp;
import dev.backstop.snapshot.parquet.ChangeRecord;
import dev.backstop.snapshot.parquet.RowFileWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Per-table recovery point state and the flush that makes buffered changes durable: delta file (uploaded, read back),
 * manifest, pointer, then group recovery points. Used from the CDC thread only.
 */
public final class RecoveryPoints {
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryPoints.class);

    private final Map<TableRef, TableState> tables = new LinkedHashMap<>();
    private final RecoveryPointPublisher publisher;
    private final RecoveryPointCatalog catalog;
    private final BaseCopier copier;
    private final SourceInfo source;
    private final Path workDir;
    private final Clock clock;
    private final Map<String, List<TableRef>> groups;
    private long pendingCount;

    public RecoveryPoints(RecoveryPointPublisher publisher, RecoveryPointCatalog catalog, BaseCopier copier,
                          SourceInfo source, Path workDir, Clock clock, Map<String, List<TableRef>> groups) {
        this.publisher = publisher;
        this.catalog = catalog;
        this.copier = copier;
        this.source = source;
        this.workDir = workDir;
        this.clock = clock;
        this.groups = groups;
    }

    /** Resumes from the table's latest manifest if its columns still match, else takes a new base. */
    public void track(TableSchema current, boolean forceNewBase) throws SQLException, IOException {
        TableState st = new TableState();
        Result<VerifiedManifest> latest = forceNewBase ? Result.failed("new base forced")
                : catalog.latestManifest(current.table());
        if (latest.ok() && latest.value().manifest().columns().equals(current.columns())
                && latest.value().manifest().primaryKey().equals(current.primaryKey())) {
            Manifest m = latest.value().manifest();
            st.resetToBase(current, m.baseSnapshotId(), m.baseLsn(), m.baseFiles(), m.totalRows());
            st.deltas.addAll(m.deltaFiles());
            st.coveredLsn = m.coveredLsn();
            st.lastCommitTime = m.coveredCommitTime();
            st.durableCommitTime = m.coveredCommitTime();
            st.latestManifestKey = latest.value().key();
            LOG.info("resuming {} from recovery point {} at {}", current.table().qualifiedName(), m.recoveryPointId(),
                    m.coveredLsn());
            tables.put(current.table(), st);
        } else {
            tables.put(current.table(), st);
            newBase(current.table());
        }
    }

    /** Takes a new base now (new table, changed columns, lost slot) and publishes its first recovery point. */
    public void newBase(TableRef t) throws SQLException, IOException {
        TableState st = tables.get(t);
        BaseCopier.Base b = copier.copy(t);
        st.resetToBase(b.schema(), b.snapshotId(), b.lsn(), b.files(), b.rows());
        publish(t, st, b.lsn());
    }

    public boolean isTracked(TableRef t) {
        return tables.containsKey(t);
    }

    public Collection<TableRef> trackedTables() {
        return tables.keySet();
    }

    public TableSchema schemaOf(TableRef t) {
        return tables.get(t).schema;
    }

    /** True if a change at this commit LSN is already in the table's base or published deltas (a replay). */
    public boolean alreadyCovered(TableRef t, Lsn commitLsn) {
        return commitLsn.compareTo(tables.get(t).coveredLsn) <= 0;
    }

    public void add(TableRef t, ChangeRecord c) {
        TableState st = tables.get(t);
        st.pending.add(c);
        st.lastCommitTime = c.commitTime();
        pendingCount++;
        switch (c.op()) {
            case INSERT -> st.rowCount++;
            case DELETE -> st.rowCount--;
            case TRUNCATE -> st.rowCount = 0;
            case UPDATE -> {
            }
        }
    }

    public long pendingCount() {
        return pendingCount;
    }

    public void markGone(TableRef t) {
        tables.get(t).gone = true;
    }

    /**
     * Makes everything up to {@code upTo} (a commit LSN all buffered changes are at or before) durable, for every
     * table: tables without changes get a manifest covering {@code upTo} as well, so their age stays current.
     */
    public void flush(Lsn upTo) throws IOException {
        for (Map.Entry<TableRef, TableState> e : tables.entrySet()) {
            TableState st = e.getValue();
            if (st.gone || upTo.compareTo(st.coveredLsn) <= 0) {
                continue;
            }
            if (!st.pending.isEmpty()) {
                writeDelta(e.getKey(), st, upTo);
            }
            publish(e.getKey(), st, upTo);
            pendingCount -= st.pending.size();
            st.pending.clear();
        }
        writeGroups(upTo);
    }

    private void writeDelta(TableRef t, TableState st, Lsn upTo) throws IOException {
        Lsn from = Lsn.of(st.coveredLsn.value() + 1);
        Path local = Files.createTempFile(workDir, "delta-", ".parquet");
        try {
            Lsn min;
            Lsn max;
            try (RowFileWriter w = RowFileWriter.delta(local, st.schema.columns())) {
                for (ChangeRecord c : st.pending) {
                    w.writeChange(c);
                }
                min = w.minLsn();
                max = w.maxLsn();
            }
            ManifestFile f = publisher.uploadVerified(publisher.keys().deltaPart(t, from, upTo, 0), local,
                    FileKind.DELTA, st.pending.size(), min, max);
            st.deltas.add(f);
        } finally {
            Files.deleteIfExists(local);
        }
    }

    private void publish(TableRef t, TableState st, Lsn covered) {
        List<ManifestFile> files = new ArrayList<>(st.baseFiles);
        files.addAll(st.deltas);
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, SnapshotKeys.recoveryPointId(covered, clock.instant()), t,
                st.schema.columns(), st.schema.primaryKey(), source, st.baseSnapshotId, st.baseLsn, covered,
                st.lastCommitTime, clock.instant(), files, Math.max(0, st.rowCount), null);
        VerifiedManifest vm = publisher.writeManifest(m);
        publisher.movePointer(vm);
        st.coveredLsn = covered;
        st.durableRowCount = st.rowCount;
        st.durableCommitTime = st.lastCommitTime;
        st.latestManifestKey = vm.key();
        latestManifests.put(t, vm);
    }

    private final Map<TableRef, VerifiedManifest> latestManifests = new LinkedHashMap<>();

    public Optional<VerifiedManifest> latest(TableRef t) {
        return Optional.ofNullable(latestManifests.get(t));
    }

    private void writeGroups(Lsn lsn) {
        for (Map.Entry<String, List<TableRef>> g : groups.entrySet()) {
            List<GroupRecoveryPoint.Member> members = new ArrayList<>();
            for (TableRef t : g.getValue()) {
                VerifiedManifest vm = latestManifests.get(t);
                if (vm == null || !vm.manifest().coveredLsn().equals(lsn)) {
                    members = null;
                    break;
                }
                members.add(new GroupRecoveryPoint.Member(t, vm.key(), vm.manifest().manifestSha256()));
            }
            if (members == null || members.isEmpty()) {
                continue;
            }
            members.sort((a, b) -> a.table().compareTo(b.table()));
            publisher.writeGroup(new GroupRecoveryPoint(1, g.getKey(), SnapshotKeys.recoveryPointId(lsn, clock.instant()),
                    lsn, clock.instant(), members, null));
        }
    }

    /** A delete/update row image without TOAST placeholders: unchanged values are taken from the old image. */
    static Object[] fillUnchanged(Object[] after, Object[] before) {
        for (int i = 0; i < after.length; i++) {
            if (after[i] == ConnectValues.UNCHANGED) {
                after[i] = before == null ? null : before[i];
            }
        }
        return after;
    }

    static ChangeOp opOf(String debeziumOp) {
        return switch (debeziumOp) {
            case "c", "r" -> ChangeOp.INSERT;
            case "u" -> ChangeOp.UPDATE;
            case "d" -> ChangeOp.DELETE;
            case "t" -> ChangeOp.TRUNCATE;
            default -> throw new IllegalArgumentException("unknown Debezium op " + debeziumOp);
        };
    }
}
