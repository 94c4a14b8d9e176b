package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FileKind;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The replay rules of docs/snapshot-format.md section 8 in their plainest form, as a test oracle: the whole table in
 * memory, every change applied to it in order (a delete or update whose old row is not there is counted as
 * unmatched; an update still adds its new row). Independent of {@link StreamingReplay} on purpose, and reads the
 * files with {@link RowFileReader}, not {@link BaseReader}.
 */
record ReferenceReplay(List<Object[]> rows, long applied, long unmatched) {

    static ReferenceReplay of(Manifest m, TableRebuilder.FileSource files, Lsn target) throws IOException {
        State state = new State(m.columns(), m.primaryKey());
        for (ManifestFile f : m.files()) {
            if (f.kind() == FileKind.BASE) {
                try (RowFileReader r = RowFileReader.open(files.localFile(f), m.columns())) {
                    for (Object[] row = r.nextRow(); row != null; row = r.nextRow()) {
                        state.add(row);
                    }
                }
            }
        }
        long applied = 0;
        for (ManifestFile f : m.files()) {
            if (f.kind() != FileKind.DELTA) {
                continue;
            }
            try (RowFileReader r = RowFileReader.open(files.localFile(f), m.columns())) {
                for (ChangeRecord c = r.nextChange(); c != null; c = r.nextChange()) {
                    if (c.lsn().compareTo(target) <= 0 && c.lsn().compareTo(m.baseLsn()) > 0) {
                        state.apply(c);
                        applied++;
                    }
                }
            }
        }
        return new ReferenceReplay(state.rows(), applied, state.unmatched);
    }

    private static final class State {
        private final int[] pk;
        private final Map<List<Object>, Object[]> byKey = new LinkedHashMap<>();
        private final Map<List<Object>, Integer> multiset = new HashMap<>();
        private long unmatched;

        State(List<ColumnSpec> columns, List<String> primaryKey) {
            pk = primaryKey.stream().mapToInt(k -> {
                for (int j = 0; j < columns.size(); j++) {
                    if (columns.get(j).name().equals(k)) {
                        return j;
                    }
                }
                throw new FormatException("primary key column " + k + " is not a column");
            }).toArray();
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
                case INSERT -> add(c.after());
                case DELETE -> {
                    if (!remove(c.before())) {
                        unmatched++;
                    }
                }
                case UPDATE -> {
                    if (!remove(c.before())) {
                        unmatched++;
                    }
                    add(c.after());
                }
                case TRUNCATE -> {
                    byKey.clear();
                    multiset.clear();
                }
            }
        }

        private List<Object> key(Object[] row) {
            Object[] k = new Object[pk.length];
            for (int i = 0; i < pk.length; i++) {
                k[i] = row[pk[i]];
            }
            return Arrays.asList(k);
        }

        List<Object[]> rows() {
            List<Object[]> out = new ArrayList<>(byKey.values());
            multiset.forEach((row, n) -> {
                for (int i = 0; i < n; i++) {
                    out.add(row.toArray());
                }
            });
            return out;
        }
    }
}
