package dev.backstop.snapshot;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One recovery point of one table: base + deltas = the table at {@code coveredLsn}. {@code totalRows} null means
 * unknown (unverified). {@code manifestSha256} is set on parsed manifests (null on ones not yet written).
 */
public record Manifest(int formatVersion, String recoveryPointId, TableRef table, List<ColumnSpec> columns,
                       List<String> primaryKey, SourceInfo source, String baseSnapshotId, Lsn baseLsn,
                       Lsn coveredLsn, Instant coveredCommitTime, Instant createdAt, List<ManifestFile> files,
                       Long totalRows, String manifestSha256) {
    public static final int FORMAT_VERSION = 1;

    public Manifest {
        Objects.requireNonNull(recoveryPointId, "recoveryPointId");
        Objects.requireNonNull(table, "table");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        files = List.copyOf(files);
    }

    public Manifest withChecksum(String sha) {
        return new Manifest(formatVersion, recoveryPointId, table, columns, primaryKey, source, baseSnapshotId,
                baseLsn, coveredLsn, coveredCommitTime, createdAt, files, totalRows, sha);
    }

    public List<ManifestFile> baseFiles() {
        return files.stream().filter(f -> f.kind() == FileKind.BASE).toList();
    }

    public List<ManifestFile> deltaFiles() {
        return files.stream().filter(f -> f.kind() == FileKind.DELTA).toList();
    }
}
