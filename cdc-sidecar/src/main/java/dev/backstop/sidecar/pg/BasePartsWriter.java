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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
     * ranges). Part N is uploaded and read back on a second thread while part N+1 is written; at most one part is in
     * flight (so at most two temporary files exist per writer), every temporary file is deleted whatever happens,
     * and the first failure (writing or uploading) fails the call only after the upload in flight has ended.
     */
    public Parts writeRows(TableRef t, List<ColumnSpec> columns, String snapshotId, Lsn lsn, int firstPart,
                           int maxParts, BaseRowSource rows) throws SQLException, IOException {
        List<ManifestFile> files = new ArrayList<>();
        long total = 0;
        int part = 0;
        BaseRow row = new BaseRow(columns.size());
        ExecutorService uploader = Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "base-upload-" + t.name());
            th.setDaemon(true);
            return th;
        });
        Future<ManifestFile> inFlight = null;
        try {
            boolean more = rows.next(row);
            do { // at least one part, so an empty table (or block range) still has a (row-less) base file
                if (part == maxParts) {
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
                } catch (Throwable e) {
                    Files.deleteIfExists(local);
                    throw e;
                }
                boolean handedOver = false;
                try {
                    if (inFlight != null) {
                        Future<ManifestFile> previous = inFlight;
                        inFlight = null;
                        files.add(await(previous));
                    }
                    String key = publisher.keys().basePart(t, snapshotId, firstPart + part);
                    long partRows = n;
                    inFlight = uploader.submit(() -> {
                        try {
                            return publisher.uploadVerified(key, local, FileKind.BASE, partRows, lsn, lsn);
                        } finally {
                            Files.deleteIfExists(local);
                        }
                    });
                    handedOver = true;
                } finally {
                    if (!handedOver) {
                        Files.deleteIfExists(local); // written, but never to be uploaded
                    }
                }
                total += n;
                part++;
            } while (more);
            files.add(await(inFlight));
            inFlight = null;
            return new Parts(files, total);
        } finally {
            if (inFlight != null) {
                try {
                    await(inFlight); // let it end (and delete its file) before the failure goes up
                } catch (Exception ignored) {
                    // the failure being thrown already is the one to report
                }
            }
            uploader.shutdownNow();
        }
    }

    /** The upload's result; its failure rethrown as it was (unchecked, or IOException). */
    private static ManifestFile await(Future<ManifestFile> f) throws IOException {
        try {
            return Futures.getUninterruptibly(f);
        } catch (ExecutionException e) {
            throw Futures.asIOException(e.getCause());
        }
    }
}
