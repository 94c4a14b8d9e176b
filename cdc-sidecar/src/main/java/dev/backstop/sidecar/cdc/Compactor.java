package dev.backstop.sidecar.cdc;

import dev.backstop.sidecar.pg.BasePartsWriter;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.Sha256;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.parquet.BaseReader;
import dev.backstop.snapshot.parquet.StreamingReplay;
import dev.backstop.snapshot.parquet.TableRebuilder;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.snapshot.store.ObjectStoreException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;

/**
 * Compaction: a new base at a recovery point's covered LSN, rebuilt from its base + deltas (each file downloaded and
 * checked against its SHA-256), so PostgreSQL is not read again. The rows are streamed from the old base through the
 * changes into the new base's parts: memory holds the changed rows only, not the table.
 */
final class Compactor {
    /** The new base's parts and id. */
    record NewBase(String snapshotId, BasePartsWriter.Parts parts) {
    }

    private final ObjectStore store;
    private final BasePartsWriter writer;
    private final Path workDir;
    private final Clock clock;

    Compactor(ObjectStore store, BasePartsWriter writer, Path workDir, Clock clock) {
        this.store = store;
        this.writer = writer;
        this.workDir = workDir;
        this.clock = clock;
    }

    NewBase compact(Manifest m) throws IOException, SQLException {
        Path dir = Files.createTempDirectory(workDir, "compact-");
        try {
            TableRebuilder.FileSource files = f -> download(f, dir);
            StreamingReplay replay = StreamingReplay.readDeltas(m, files, m.coveredLsn());
            String snapshotId = SnapshotKeys.recoveryPointId(m.coveredLsn(), clock.instant());
            BasePartsWriter.Parts parts;
            try (StreamingReplay.Cursor rows = replay.open(BaseReader.sourceOf(m, files))) {
                parts = writer.write(m.table(), m.columns(), snapshotId, m.coveredLsn(), rows::next);
                long unmatched = rows.totals().unmatched();
                if (unmatched != 0) {
                    // The parts are written but no manifest lists them: retention removes them as unreferenced.
                    throw new FormatException("recovery point " + m.recoveryPointId() + " does not replay cleanly ("
                            + unmatched + " unmatched changes): not compacted");
                }
            }
            return new NewBase(snapshotId, parts);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private Path download(ManifestFile f, Path dir) throws IOException {
        Path local = dir.resolve(Sha256.hex(f.key().getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ".parquet");
        if (!store.getToFile(f.key(), local)) {
            throw new ObjectStoreException("file " + f.key() + " is missing");
        }
        if (!Sha256.hex(local).equals(f.sha256())) {
            throw new ObjectStoreException("file " + f.key() + " does not match its SHA-256");
        }
        return local;
    }

}
