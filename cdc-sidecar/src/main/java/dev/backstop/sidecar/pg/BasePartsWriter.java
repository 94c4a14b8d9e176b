package dev.backstop.sidecar.pg;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FileKind;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.RecoveryPointPublisher;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.parquet.BaseFileWriter;
import dev.backstop.snapshot.parquet.BaseRow;
import dev.backstop.snapshot.parquet.RowFileWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams rows into base part files rolled at a size limit (bounded memory), each uploaded and read back before the
 * next is started. Used by the base copy (rows from PostgreSQL) and by compaction (rows rebuilt from base + deltas).
 */
public final class BasePartsWriter {
    /** Supplies rows one at a time; null when there are no more. */
    @FunctionalInterface
    public interface RowSource {
        Object[] next() throws SQLException, IOException;
    }

    /** Fills the given row with the next one; false when there are no more. */
    @FunctionalInterface
    public interface BaseRowSource {
        boolean next(BaseRow row) throws SQLException, IOException;
    }

    /** The uploaded parts and the number of rows they hold. */
    public record Parts(List<ManifestFile> files, long rows) {
    }

    private final RecoveryPointPublisher publisher;
    private final Path workDir;
    private final long partBytes;

    public BasePartsWriter(RecoveryPointPublisher publisher, Path workDir, long partBytes) {
        this.publisher = publisher;
        this.workDir = workDir;
        this.partBytes = partBytes;
    }

    public RecoveryPointPublisher publisher() {
        return publisher;
    }

    public Parts write(TableRef t, List<ColumnSpec> columns, String snapshotId, Lsn lsn, RowSource rows)
            throws SQLException, IOException {
        List<ManifestFile> files = new ArrayList<>();
        long total = 0;
        int part = 0;
        Object[] row = rows.next();
        do { // at least one part, so an empty table still has a (row-less) base file
            Path local = Files.createTempFile(workDir, "base-", ".parquet");
            long n = 0;
            try {
                try (RowFileWriter w = RowFileWriter.base(local, columns)) {
                    while (row != null && w.dataSize() < partBytes) {
                        w.writeRow(row);
                        n++;
                        row = rows.next();
                    }
                }
                files.add(publisher.uploadVerified(publisher.keys().basePart(t, snapshotId, part), local,
                        FileKind.BASE, n, lsn, lsn));
            } finally {
                Files.deleteIfExists(local);
            }
            total += n;
            part++;
        } while (row != null);
        return new Parts(files, total);
    }

    /**
     * The fast path of the base copy: rows arrive unboxed ({@link BaseRow}) and go straight to Parquet. Parts are
     * numbered from {@code firstPart}, at most {@code maxParts} of them (several writers of one base use disjoint
     * ranges); each part is uploaded and read back before the next is started, its temporary file always deleted.
     */
    public Parts writeRows(TableRef t, List<ColumnSpec> columns, String snapshotId, Lsn lsn, int firstPart,
                           int maxParts, BaseRowSource rows) throws SQLException, IOException {
        List<ManifestFile> files = new ArrayList<>();
        long total = 0;
        BaseRow row = new BaseRow(columns.size());
        boolean more = rows.next(row);
        do { // at least one part, so an empty table (or block range) still has a (row-less) base file
            if (files.size() == maxParts) {
                throw new IOException("base of " + t.qualifiedName() + " needs more than " + maxParts
                        + " parts per writer: raise sidecar.partBytes");
            }
            Path local = Files.createTempFile(workDir, "base-", ".parquet");
            long n = 0;
            try {
                try (BaseFileWriter w = BaseFileWriter.open(local, columns)) {
                    while (more && w.dataSize() < partBytes) {
                        w.write(row);
                        n++;
                        more = rows.next(row);
                    }
                }
                files.add(publisher.uploadVerified(publisher.keys().basePart(t, snapshotId, firstPart + files.size()),
                        local, FileKind.BASE, n, lsn, lsn));
            } finally {
                Files.deleteIfExists(local);
            }
            total += n;
        } while (more);
        return new Parts(files, total);
    }
}
