package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Materialises a table as of an LSN from a manifest's base and delta files (spec section 8, "Replay") as a list of
 * rows. Pure Java over local Parquet files; the caller supplies each file (downloaded and checksum-verified).
 */
public final class TableRebuilder {
    /** Supplies a local copy of a listed file. */
    @FunctionalInterface
    public interface FileSource {
        Path localFile(ManifestFile file) throws IOException;
    }

    /**
     * The table at {@code lsn}. {@code unmatchedChanges} counts deletes/updates whose old row was not found: anything
     * but zero means the recovery point is inconsistent and must not be trusted.
     */
    public record RebuiltTable(List<ColumnSpec> columns, List<Object[]> rows, Lsn lsn, long appliedChanges,
                               long unmatchedChanges) {
    }

    private TableRebuilder() {
    }

    /** The whole table in memory: for small tables and tests; {@link StreamingReplay} streams it instead. */
    public static RebuiltTable rebuild(Manifest m, FileSource files, Lsn target) throws IOException {
        StreamingReplay replay = StreamingReplay.readDeltas(m, files, target);
        List<Object[]> rows = new ArrayList<>();
        StreamingReplay.Totals t = replay.stream(BaseReader.sourceOf(m, files), rows::add);
        return new RebuiltTable(m.columns(), rows, target, replay.appliedChanges(), t.unmatched());
    }
}
