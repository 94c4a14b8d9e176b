package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FileKind;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Materialises a table as of an LSN from a manifest's base and delta files (spec section 8, "Replay"). Pure Java over
 * local Parquet files; the caller supplies each file (downloaded and checksum-verified).
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

    public static RebuiltTable rebuild(Manifest m, FileSource files, Lsn target) throws IOException {
        if (target.compareTo(m.baseLsn()) < 0) {
            throw new FormatException("LSN " + target + " is before the base (" + m.baseLsn() + ") of recovery point "
                    + m.recoveryPointId());
        }
        if (target.compareTo(m.coveredLsn()) > 0) {
            throw new FormatException("LSN " + target + " is after the LSN covered by recovery point "
                    + m.recoveryPointId() + " (" + m.coveredLsn() + ")");
        }
        State state = new State(m.columns(), m.primaryKey());
        for (ManifestFile f : m.files()) {
            if (f.kind() != FileKind.BASE) {
                continue;
            }
            try (RowFileReader r = RowFileReader.open(files.localFile(f), m.columns())) {
                for (Object[] row = r.nextRow(); row != null; row = r.nextRow()) {
                    state.add(row);
                }
            }
        }
        Lsn last = m.baseLsn();
        long applied = 0;
        for (ManifestFile f : m.files()) {
            if (f.kind() != FileKind.DELTA) {
                continue;
            }
            if (f.minLsn() != null && f.minLsn().compareTo(target) > 0) {
                break;
            }
            try (RowFileReader r = RowFileReader.open(files.localFile(f), m.columns())) {
                for (ChangeRecord c = r.nextChange(); c != null; c = r.nextChange()) {
                    if (c.lsn().compareTo(target) > 0) {
                        break;
                    }
                    if (c.lsn().compareTo(m.baseLsn()) <= 0) {
                        continue; // already in the base
                    }
                    if (c.lsn().compareTo(last) < 0) {
                        throw new FormatException("delta " + f.key() + " goes back in LSN order at " + c.lsn());
                    }
                    last = c.lsn();
                    state.apply(c);
                    applied++;
                }
            }
        }
        return new RebuiltTable(m.columns(), state.rows(), target, applied, state.unmatched);
    }

    /** Current rows: keyed by primary key, or a multiset of whole rows for tables without one. */
    private static final class State {
        private final int[] pk;
        private final Map<List<Object>, Object[]> byKey = new LinkedHashMap<>();
        private final Map<List<Object>, Integer> multiset = new HashMap<>();
        private long unmatched;

        State(List<ColumnSpec> columns, List<String> primaryKey) {
            pk = new int[primaryKey.size()];
            for (int i = 0; i < pk.length; i++) {
                int idx = -1;
                for (int j = 0; j < columns.size(); j++) {
                    if (columns.get(j).name().equals(primaryKey.get(i))) {
                        idx = j;
                    }
                }
                if (idx < 0) {
                    throw new FormatException("primary key column " + primaryKey.get(i) + " is not a column");
                }
                pk[i] = idx;
            }
        }

        void add(Object[] row) {
            if (pk.length > 0) {
                byKey.put(key(row), row);
            } else {
                multiset.merge(Arrays.asList(row), 1, Integer::sum);
            }
        }

        boolean remove(Object[] row) {
            if (pk.length > 0) {
                return byKey.remove(key(row)) != null;
            }
            List<Object> k = Arrays.asList(row);
            Integer n = multiset.get(k);
            if (n == null) {
                return false;
            }
            if (n == 1) {
                multiset.remove(k);
            } else {
                multiset.put(k, n - 1);
            }
            return true;
        }

        void apply(ChangeRecord c) {
            switch (c.op()) {
                case INSERT -> add(require(c.after(), c));
                case DELETE -> {
                    if (!remove(require(c.before(), c))) {
                        unmatched++;
                    }
                }
                case UPDATE -> {
                    if (!remove(require(c.before(), c))) {
                        unmatched++;
                    }
                    add(require(c.after(), c));
                }
                case TRUNCATE -> {
                    byKey.clear();
                    multiset.clear();
                }
            }
        }

        private static Object[] require(Object[] image, ChangeRecord c) {
            if (image == null) {
                throw new FormatException(c.op().wireName() + " at " + c.lsn() + " lacks its row image");
            }
            return image;
        }

        private List<Object> key(Object[] row) {
            Object[] k = new Object[pk.length];
            for (int i = 0; i < pk.length; i++) {
                k[i] = row[pk[i]];
            }
            return Arrays.asList(k);
        }

        List<Object[]> rows() {
            List<Object[]> out = new ArrayList<>();
            if (pk.length > 0) {
                out.addAll(byKey.values());
            } else {
                for (Map.Entry<List<Object>, Integer> e : multiset.entrySet()) {
                    for (int i = 0; i < e.getValue(); i++) {
                        out.add(e.getKey().toArray());
                    }
                }
            }
            return out;
        }
    }
}
