package dev.backstop.sidecar.cdc;

import dev.backstop.sidecar.pg.TableSchema;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.parquet.ChangeRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the sidecar knows about one tracked table: its base, its published deltas and changes not yet durable.
 * Mutated by the CDC thread only, except {@link #gone}, which the table monitor sets.
 */
final class TableState {
    volatile TableSchema schema;
    String baseSnapshotId;
    Lsn baseLsn;
    List<ManifestFile> baseFiles = new ArrayList<>();
    final List<ManifestFile> deltas = new ArrayList<>();
    /** Rows at {@link #coveredLsn} plus the effect of pending changes. */
    long rowCount;
    long durableRowCount;
    Lsn coveredLsn;
    Instant lastCommitTime;
    final List<ChangeRecord> pending = new ArrayList<>();
    /** Approximate heap bytes of {@link #pending} ({@link ChangeSizes}). */
    long pendingBytes;
    /** Set when a change arrived with other columns than {@link #schema}: publish up to here, then take a new base. */
    Lsn rebaseAfter;
    /**
     * Set with {@link #rebaseAfter} when nothing of the table happened between it and the change that needs the new
     * base (a transaction too large to hold): a recovery point is published up to it even without pending changes.
     */
    boolean exactUpToRebase;
    /** Set when a value could not be stored: the table gets no further recovery points (alerted once). */
    String broken;
    volatile boolean gone;
    /** Set once the disappearance was alerted (naming the last recovery point): a table of that name may be taken on. */
    volatile boolean goneAlerted;
    /** The relation OID the recovery points follow (0 = unknown). */
    volatile long oid;
    /** Set by the table monitor when the catalog shows other columns: the next flush publishes, then re-bases. */
    volatile boolean rebaseRequested;

    void resetToBase(TableSchema schema, String snapshotId, Lsn lsn, List<ManifestFile> files, long rows) {
        this.schema = schema;
        this.baseSnapshotId = snapshotId;
        this.baseLsn = lsn;
        this.baseFiles = new ArrayList<>(files);
        this.deltas.clear();
        clearPending();
        this.rowCount = rows;
        this.durableRowCount = rows;
        this.coveredLsn = lsn;
        this.lastCommitTime = null;
        this.rebaseAfter = null;
        this.exactUpToRebase = false;
        this.rebaseRequested = false;
    }

    /** Everything {@link #resetToBase} changes, to put back when the new base's recovery point cannot be published. */
    record Saved(TableSchema schema, String baseSnapshotId, Lsn baseLsn, List<ManifestFile> baseFiles,
                 List<ManifestFile> deltas, long rowCount, long durableRowCount, Lsn coveredLsn, Instant lastCommitTime,
                 List<ChangeRecord> pending, long pendingBytes, Lsn rebaseAfter, boolean exactUpToRebase,
                 boolean rebaseRequested) {
    }

    Saved save() {
        return new Saved(schema, baseSnapshotId, baseLsn, List.copyOf(baseFiles), List.copyOf(deltas), rowCount,
                durableRowCount, coveredLsn, lastCommitTime, List.copyOf(pending), pendingBytes, rebaseAfter,
                exactUpToRebase, rebaseRequested);
    }

    void restore(Saved s) {
        schema = s.schema();
        baseSnapshotId = s.baseSnapshotId();
        baseLsn = s.baseLsn();
        baseFiles = new ArrayList<>(s.baseFiles());
        deltas.clear();
        deltas.addAll(s.deltas());
        rowCount = s.rowCount();
        durableRowCount = s.durableRowCount();
        coveredLsn = s.coveredLsn();
        lastCommitTime = s.lastCommitTime();
        pending.clear();
        pending.addAll(s.pending());
        pendingBytes = s.pendingBytes();
        rebaseAfter = s.rebaseAfter();
        exactUpToRebase = s.exactUpToRebase();
        rebaseRequested = s.rebaseRequested();
    }

    void addPending(ChangeRecord c) {
        pending.add(c);
        pendingBytes += ChangeSizes.of(c);
    }

    void clearPending() {
        pending.clear();
        pendingBytes = 0;
    }
}
