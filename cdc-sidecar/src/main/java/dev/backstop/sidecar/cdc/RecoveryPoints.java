package dev.backstop.sidecar.cdc;

import dev.backstop.sidecar.SidecarMetrics;
import dev.backstop.sidecar.pg.BaseCopier;
import dev.backstop.sidecar.pg.TableMissingException;
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
import dev.backstop.snapshot.store.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Per-table recovery point state and the flush that makes buffered changes durable: delta file (uploaded, read back),
 * manifest, pointer, then group recovery points. Mutated from the CDC thread (and from start-up before it runs);
 * {@link #latest} and {@link #trackedTables} may be read from any thread.
 */
public final class RecoveryPoints {
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryPoints.class);

    private final Map<TableRef, TableState> tables = new ConcurrentSkipListMap<>();
    private final Map<TableRef, VerifiedManifest> latestManifests = new ConcurrentHashMap<>();
    private final RecoveryPointPublisher publisher;
    private final RecoveryPointCatalog catalog;
    private final BaseCopier copier;
    private final SourceInfo source;
    private final Path workDir;
    private final Clock clock;
    private final Map<String, List<TableRef>> groups;
    private final SidecarMetrics metrics;
    private long pendingCount;
    private Maintenance maintenance;
    private Compactor compactor;
    private RetentionSweeper sweeper;
    private Instant lastSweep;

    /** Compaction and retention settings (docs/configuration.md, sidecar section). */
    public record Maintenance(int compactAfterDeltas, long compactMaxRows, Duration retention, Duration sweepEvery) {
    }

    public RecoveryPoints(RecoveryPointPublisher publisher, RecoveryPointCatalog catalog, BaseCopier copier,
                          SourceInfo source, Path workDir, Clock clock, Map<String, List<TableRef>> groups,
                          SidecarMetrics metrics) {
        this.publisher = publisher;
        this.catalog = catalog;
        this.copier = copier;
        this.source = source;
        this.workDir = workDir;
        this.clock = clock;
        this.groups = groups;
        this.metrics = metrics;
    }

    /** Enables compaction and retention, run on the CDC thread after successful flushes. */
    public void enableMaintenance(Maintenance m, ObjectStore store) {
        this.maintenance = m;
        this.compactor = new Compactor(store, copier.parts(), workDir, clock);
        this.sweeper = new RetentionSweeper(store, catalog);
        this.lastSweep = clock.instant();
    }

    /**
     * After a successful flush (nothing pending): compacts tables with many deltas, and sweeps expired recovery points
     * when due. Failures are logged and leave every published recovery point as it was.
     */
    public void maintain() {
        if (maintenance == null) {
            return;
        }
        for (Map.Entry<TableRef, TableState> e : tables.entrySet()) {
            TableState st = e.getValue();
            if (st.broken == null && !st.gone && st.pending.isEmpty() && st.rebaseAfter == null
                    && st.deltas.size() >= maintenance.compactAfterDeltas()) {
                try {
                    compact(e.getKey(), st);
                } catch (Exception ex) {
                    LOG.warn("{}: compaction failed, recovery points unchanged: {}", e.getKey().qualifiedName(),
                            ex.toString());
                }
            }
        }
        if (Duration.between(lastSweep, clock.instant()).compareTo(maintenance.sweepEvery()) >= 0) {
            try {
                RetentionSweeper.Swept swept = sweeper.sweep(tables.keySet(), groups.keySet(),
                        clock.instant().minus(maintenance.retention()));
                lastSweep = clock.instant();
                rebaseQuarantined();
                metrics.retentionDeleted.inc(swept.manifests() + swept.groups() + swept.files());
                metrics.retentionSweeps.inc();
            } catch (Exception ex) {
                LOG.warn("retention sweep failed (nothing more is deleted until the next one): {}", ex.toString());
            }
        }
    }

    /**
     * A table whose latest recovery point uses a quarantined point's files gets a fresh base from PostgreSQL (the
     * gate and the restore tool refuse every point using those files; a keep-alive would only re-list them). Runs
     * with the retention sweep, which lists the quarantine markers anyway.
     */
    private void rebaseQuarantined() {
        for (Map.Entry<TableRef, TableState> e : tables.entrySet()) {
            TableState st = e.getValue();
            VerifiedManifest current = latestManifests.get(e.getKey());
            if (current == null || st.broken != null || st.gone || st.rebaseAfter != null || !st.pending.isEmpty()) {
                continue;
            }
            try {
                Optional<String> tainted = catalog.quarantinedData(e.getKey(), current.manifest());
                if (tainted.isPresent()) {
                    LOG.warn("{}: {}; taking a fresh base", e.getKey().qualifiedName(), tainted.get());
                    newBase(e.getKey());
                }
            } catch (Exception ex) {
                LOG.warn("{}: quarantine check or fresh base failed, tried again at the next sweep: {}",
                        e.getKey().qualifiedName(), ex.toString());
            }
        }
    }

    private void compact(TableRef t, TableState st) throws IOException, SQLException {
        VerifiedManifest current = latestManifests.get(t);
        if (current == null || !current.manifest().coveredLsn().equals(st.coveredLsn)) {
            return;
        }
        if (catalog.quarantinedData(t, current.manifest()).isPresent()) {
            // Compacting would copy suspect data into new files no quarantine names.
            LOG.info("{}: its recovery points use quarantined files; taking a fresh base instead of compacting",
                    t.qualifiedName());
            newBase(t);
            return;
        }
        if (st.rowCount > maintenance.compactMaxRows()) {
            LOG.info("{}: {} deltas, more than compactMaxRows rows to compact from S3; taking a fresh base",
                    t.qualifiedName(), st.deltas.size());
            newBase(t);
            return;
        }
        Compactor.NewBase nb = compactor.compact(current.manifest());
        for (ManifestFile f : nb.parts().files()) {
            metrics.bytesWritten.inc(f.bytes());
        }
        Instant lastCommit = st.lastCommitTime;
        Lsn covered = st.coveredLsn;
        TableSchema schema = st.schema;
        TableState.Saved before = st.save();
        st.resetToBase(schema, nb.snapshotId(), covered, nb.parts().files(), nb.parts().rows());
        st.lastCommitTime = lastCommit;
        try {
            publish(t, st, covered, st.deltas);
        } catch (RuntimeException e) {
            st.restore(before); // the compacted parts stay unlisted: retention removes them
            throw e;
        }
        metrics.compactions.inc();
        LOG.info("{}: compacted into base {} ({} rows)", t.qualifiedName(), nb.snapshotId(), nb.parts().rows());
    }

    /**
     * Resumes from the table's latest manifest if its columns still match and it is the same relation as before
     * ({@code previousOid} from the local state, 0 if unknown), else takes a new base.
     */
    public void track(TableSchema current, long oid, long previousOid, boolean forceNewBase)
            throws SQLException, IOException {
        TableState st = new TableState();
        st.oid = oid;
        if (Files.exists(brokenMarker(current.table()))) {
            // Its changes stopped being recorded before the last stop (and their offsets were acknowledged):
            // resuming from its last recovery point would hide that gap.
            LOG.warn("{}: its changes could not be recorded before the last stop; taking a new base",
                    current.table().qualifiedName());
            forceNewBase = true;
        }
        if (previousOid == 0 && !forceNewBase) {
            // Not followed by this sidecar before (or not since it was last left out of sidecar.tables, or the
            // local state is new): nothing proves its recovery points in S3 run up to where streaming resumes.
            LOG.info("{}: not followed continuously before this start; taking a new base",
                    current.table().qualifiedName());
            forceNewBase = true;
        }
        if (previousOid != 0 && previousOid != oid) {
            LOG.warn("{} was dropped and created again while the sidecar was down: taking a new base",
                    current.table().qualifiedName());
            forceNewBase = true;
        }
        Result<VerifiedManifest> latest = forceNewBase ? Result.failed("new base forced")
                : catalog.latestManifest(current.table());
        if (latest.ok() && latest.value().manifest().columns().equals(current.columns())
                && latest.value().manifest().primaryKey().equals(current.primaryKey())
                && source.systemIdentifier().equals(latest.value().manifest().source().systemIdentifier())) {
            Manifest m = latest.value().manifest();
            st.resetToBase(current, m.baseSnapshotId(), m.baseLsn(), m.baseFiles(), m.totalRows() == null ? 0
                    : m.totalRows());
            st.deltas.addAll(m.deltaFiles());
            st.coveredLsn = m.coveredLsn();
            st.lastCommitTime = m.coveredCommitTime();
            tables.put(current.table(), st);
            latestManifests.put(current.table(), latest.value());
            LOG.info("resuming {} from recovery point {} at {}", current.table().qualifiedName(), m.recoveryPointId(),
                    m.coveredLsn());
        } else {
            if (!forceNewBase && !latest.ok()) {
                LOG.info("{}: no usable recovery point ({}); taking a base", current.table().qualifiedName(),
                        String.join("; ", latest.problems()));
            }
            tables.put(current.table(), st);
            try {
                newBase(current.table());
            } catch (SQLException | IOException | RuntimeException e) {
                tables.remove(current.table()); // not tracked at all rather than tracked without a base
                throw e;
            }
            Files.deleteIfExists(brokenMarker(current.table()));
        }
    }

    /** Takes a new base now (new table, changed columns, lost slot) and publishes its first recovery point. */
    public void newBase(TableRef t) throws SQLException, IOException {
        TableState st = tables.get(t);
        BaseCopier.Base b = copier.copy(t);
        for (ManifestFile f : b.files()) {
            metrics.bytesWritten.inc(f.bytes());
        }
        TableState.Saved before = st.save();
        st.resetToBase(b.schema(), b.snapshotId(), b.lsn(), b.files(), b.rows());
        try {
            publish(t, st, b.lsn(), st.deltas);
        } catch (RuntimeException e) {
            st.restore(before); // state only moves once a recovery point is published
            throw e;
        }
        Files.deleteIfExists(brokenMarker(t));
        st.broken = null; // a new base starts a chain with no gap
    }

    /** Whether the table must get a new base before its recovery points may continue (see {@link #requireNewBase}). */
    public boolean needsNewBase(TableRef t) {
        return Files.exists(brokenMarker(t));
    }

    /**
     * Records, in the state directory, that {@code t} must get a new base (its changes since the last recovery
     * point may be lost: replication slot lost, a change that could not be recorded). Survives a failure or a
     * restart until the new base is published.
     */
    public static void requireNewBase(Path stateDir, TableRef t, String reason) throws IOException {
        Path marker = brokenMarker(stateDir, t);
        Files.createDirectories(marker.getParent());
        Files.writeString(marker, reason);
    }

    public boolean isTracked(TableRef t) {
        return tables.containsKey(t);
    }

    /** Tracked tables that have their first recovery point (a table being taken on is not listed yet). */
    public Collection<TableRef> trackedTables() {
        List<TableRef> out = new ArrayList<>();
        tables.forEach((t, st) -> {
            if (st.schema != null) {
                out.add(t);
            }
        });
        return out;
    }

    public TableSchema schemaOf(TableRef t) {
        return tables.get(t).schema;
    }

    /**
     * True if a change at this commit LSN needs no recording: already in the table's base or published deltas (a
     * replay after restart), or after a schema change that a new base will cover, or the table cannot be stored.
     */
    public boolean skip(TableRef t, Lsn commitLsn) {
        TableState st = tables.get(t);
        return commitLsn.compareTo(st.coveredLsn) <= 0 || st.rebaseAfter != null || st.broken != null;
    }

    public void add(TableRef t, ChangeRecord c) {
        TableState st = tables.get(t);
        st.addPending(c);
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

    /**
     * A change to {@code t} came with other columns than the tracked schema: recovery points continue up to
     * {@code lastGoodLsn} (the commit before), then a new base is taken at the next flush.
     */
    public void schemaChanged(TableRef t, Lsn lastGoodLsn) {
        rebaseAfter(t, lastGoodLsn, false, "columns changed");
    }

    /**
     * Recovery points of {@code t} continue up to {@code lastGoodLsn}; the changes after it are not recorded and a
     * new base, taken at the next flush, covers them instead ({@code why} is logged). {@code exact}: the table is known
     * to be as recorded up to {@code lastGoodLsn} itself, so a recovery point is published there even if no change
     * is pending (for a schema change it is not: the DDL came somewhere before).
     */
    public void rebaseAfter(TableRef t, Lsn lastGoodLsn, boolean exact, String why) {
        TableState st = tables.get(t);
        if (st.rebaseAfter == null) {
            st.exactUpToRebase = exact;
            st.rebaseAfter = Lsn.max(lastGoodLsn, st.coveredLsn);
            LOG.warn("{}: {} after {}; a new base will be taken", t.qualifiedName(), why, st.rebaseAfter);
        }
    }

    /**
     * The catalog shows other columns than the tracked schema (found by the table monitor, possibly before any change
     * with the new columns arrived): the next flush publishes what is pending, then takes a new base.
     */
    public void requestRebase(TableRef t) {
        TableState st = tables.get(t);
        if (st != null) {
            st.rebaseRequested = true;
        }
    }

    /**
     * Why the stream no longer records {@code t} into recovery points, if it does not: a value that could not be
     * stored (broken), or the table is gone (dropped, renamed, replaced). Its latest recovery point is then history,
     * not a point a flush may vouch for.
     */
    public Optional<String> notCapturing(TableRef t) {
        TableState st = tables.get(t);
        if (st == null) {
            return Optional.empty();
        }
        if (st.broken != null) {
            return Optional.of("changes to it can no longer be recorded: " + st.broken);
        }
        if (st.gone) {
            return Optional.of("the table was dropped, renamed or replaced; it is taken on again as a new table");
        }
        return Optional.empty();
    }

    /** A value of {@code t} cannot be stored: no further recovery points for it (its age grows; the gate fails). */
    public void markBroken(TableRef t, String reason) {
        tables.get(t).broken = reason;
        try {
            // Kept across restarts: the next start takes a new base instead of resuming over the gap.
            requireNewBase(workDir, t, reason);
        } catch (IOException e) {
            LOG.error("{}: could not record that it is broken in {} (a restart would resume over the gap): {}",
                    t.qualifiedName(), brokenMarker(t), e.toString());
        }
    }

    private Path brokenMarker(TableRef t) {
        return brokenMarker(workDir, t);
    }

    private static Path brokenMarker(Path stateDir, TableRef t) {
        return stateDir.resolve("broken-tables").resolve(
                java.net.URLEncoder.encode(t.qualifiedName(), java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Forgets changes that are not durable (the CDC engine restarts from the last acknowledged offset and sends them
     * again), so nothing is recorded twice.
     */
    public void discardPending() {
        for (TableState st : tables.values()) {
            st.clearPending();
            st.rowCount = st.durableRowCount;
            st.rebaseAfter = null;
            st.exactUpToRebase = false;
        }
        pendingCount = 0;
    }

    public long pendingCount() {
        return pendingCount;
    }

    /** Approximate heap bytes of the changes waiting for a flush. */
    public long pendingBytes() {
        long sum = 0;
        for (TableState st : tables.values()) {
            sum += st.pendingBytes;
        }
        return sum;
    }

    /** The table no longer exists under its name: no more keep-alive recovery points, its last one stays. */
    public void markGone(TableRef t) {
        TableState st = tables.get(t);
        if (st != null) {
            st.gone = true;
        }
    }

    /** The relation OID the table's recovery points follow. */
    public long oidOf(TableRef t) {
        TableState st = tables.get(t);
        return st == null ? 0 : st.oid;
    }

    public boolean isGone(TableRef t) {
        TableState st = tables.get(t);
        return st != null && st.gone;
    }

    /** The disappearance of {@code t} was alerted, naming its last recovery point. */
    public void markGoneAlerted(TableRef t) {
        TableState st = tables.get(t);
        if (st != null) {
            st.goneAlerted = true;
        }
    }

    /**
     * Of the tables matching {@code sidecar.tables} now, those to take on: never tracked (created or renamed into a
     * match after start-up), or tracked under a name whose table disappeared (alerted) and that exists again (created
     * again, or a recovered table renamed into place), which gets a new base.
     */
    public List<TableRef> toTakeOn(List<TableRef> matching) {
        List<TableRef> out = new ArrayList<>();
        for (TableRef t : matching) {
            TableState st = tables.get(t);
            if (st == null || (st.gone && st.goneAlerted)) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * Makes everything up to {@code upTo} (a commit LSN all buffered changes are at or before) durable. Tables with
     * changes get a new recovery point; so do tables in {@code requested} (a flush on demand names them) and tables
     * whose latest recovery point is older than {@code keepAlive}, so an idle table's age stays current without a
     * manifest per table on every flush. On failure nothing is lost: state only moves once a recovery point is
     * published, and a retry redoes the rest.
     */
    public void flush(Lsn upTo, Set<TableRef> requested, Duration keepAlive) throws IOException, SQLException {
        Set<TableRef> wanted = wanted(requested, clock.instant().minus(keepAlive));
        for (Map.Entry<TableRef, TableState> e : tables.entrySet()) {
            TableRef t = e.getKey();
            TableState st = e.getValue();
            if (st.broken != null) {
                continue;
            }
            if (st.rebaseRequested && st.rebaseAfter == null) {
                st.rebaseAfter = upTo; // every change recorded so far has the old columns
                wanted.add(t);
            }
            Lsn target = st.rebaseAfter != null ? st.rebaseAfter : upTo;
            boolean idle = st.pending.isEmpty() && (st.gone || (st.rebaseAfter != null && !st.exactUpToRebase));
            boolean due = wanted.contains(t) || (st.rebaseAfter != null && st.exactUpToRebase);
            if (due && !idle && target.compareTo(st.coveredLsn) > 0) {
                List<ManifestFile> deltas = new ArrayList<>(st.deltas);
                if (!st.pending.isEmpty()) {
                    deltas.add(writeDelta(t, st, target));
                }
                publish(t, st, target, deltas);
                pendingCount -= st.pending.size();
                st.clearPending();
            }
            if (st.rebaseAfter != null && !st.gone) {
                LOG.info("{}: taking a new base (after a column change or a transaction too large to hold)", t.qualifiedName());
                try {
                    newBase(t);
                } catch (TableMissingException missing) {
                    st.gone = true; // the table monitor raises the alert naming its last recovery point
                }
            }
        }
        writeGroups(upTo);
    }

    /** Tables due for a recovery point; a group's members are due together, so they share one LSN. */
    private Set<TableRef> wanted(Set<TableRef> requested, Instant staleBefore) {
        Set<TableRef> out = new HashSet<>();
        tables.forEach((t, st) -> {
            VerifiedManifest current = latestManifests.get(t);
            if (!st.pending.isEmpty() || requested.contains(t) || current == null
                    || current.manifest().createdAt() == null || current.manifest().createdAt().isBefore(staleBefore)) {
                out.add(t);
            }
        });
        for (List<TableRef> members : groups.values()) {
            if (members.stream().anyMatch(out::contains)) {
                out.addAll(members);
            }
        }
        return out;
    }

    private ManifestFile writeDelta(TableRef t, TableState st, Lsn upTo) throws IOException {
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
            metrics.bytesWritten.inc(f.bytes());
            return f;
        } finally {
            Files.deleteIfExists(local);
        }
    }

    private void publish(TableRef t, TableState st, Lsn covered, List<ManifestFile> deltas) {
        List<ManifestFile> files = new ArrayList<>(st.baseFiles);
        files.addAll(deltas);
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, SnapshotKeys.recoveryPointId(covered, clock.instant()), t,
                st.schema.columns(), st.schema.primaryKey(), source, st.baseSnapshotId, st.baseLsn, covered,
                st.lastCommitTime, clock.instant(), files, Math.max(0, st.rowCount), null);
        VerifiedManifest vm = publisher.writeManifest(m);
        publisher.movePointer(vm);
        if (deltas != st.deltas) {
            st.deltas.clear();
            st.deltas.addAll(deltas);
        }
        st.coveredLsn = covered;
        st.durableRowCount = st.rowCount;
        latestManifests.put(t, vm);
    }

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
                if (before == null || before[i] == ConnectValues.UNCHANGED) {
                    throw new IllegalStateException("an unchanged TOASTed value has no old image to come from");
                }
                after[i] = before[i];
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
