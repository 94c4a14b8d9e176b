package dev.backstop.sidecar.cdc;

import dev.backstop.sidecar.pg.TableSchema;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.parquet.ChangeRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What the sidecar knows about one tracked table: its base, its published deltas and changes not yet durable. */
final class TableState {
    TableSchema schema;
    String baseSnapshotId;
    Lsn baseLsn;
    List<ManifestFile> baseFiles = new ArrayList<>();
    final List<ManifestFile> deltas = new ArrayList<>();
    /** Rows at {@link #coveredLsn} plus the effect of pending changes. */
    long rowCount;
    long durableRowCount;
    Lsn coveredLsn;
    Instant lastCommitTime;
    Instant durableCommitTime;
    final List<ChangeRecord> pending = new ArrayList<>();
    String latestManifestKey;
    boolean gone;

    void resetToBase(TableSchema schema, String snapshotId, Lsn lsn, List<ManifestFile> files, long rows) {
        this.schema = schema;
        this.baseSnapshotId = snapshotId;
        this.baseLsn = lsn;
        this.baseFiles = new ArrayList<>(files);
        this.deltas.clear();
        this.pending.clear();
        this.rowCount = rows;
        this.durableRowCount = rows;
        this.coveredLsn = lsn;
        this.lastCommitTime = null;
        this.durableCommitTime = null;
    }
}
