package dev.backstop.sidecar.pg;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FileKind;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.RecoveryPointPublisher;
import dev.backstop.snapshot.TableRef;
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
}
