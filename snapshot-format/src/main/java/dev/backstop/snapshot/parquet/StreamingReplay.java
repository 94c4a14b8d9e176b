package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FileKind;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The replay of docs/snapshot-format.md section 8 ("Replay") with memory bounded by the CHANGES, not the table: the
 * delta files up to the target are read first into an overlay holding each touched key's final state (new image or
 * deleted), then the base rows are streamed past it (a base row whose key the overlay holds is dropped, any other is
 * emitted as is), then the overlay's live rows are emitted. A TRUNCATE discards the base and every earlier change.
 * The restore tool streams its rows into COPY, compaction into a new base, {@link TableRebuilder} into a list.
 *
 * <p>Tables without a primary key keep per distinct changed row a net count and the lowest running count, so memory
 * is O(distinct rows changed) there too; a delete of a row value that exists neither in the base nor in earlier
 * changes is unmatched, as is a delete or update of a key that is not there. Any unmatched change means the recovery
 * point is inconsistent ({@link Totals#unmatched()}).
 */
public final class StreamingReplay {
    /** Receives the table's rows at the target, base rows first (in file order), then changed rows. */
    @FunctionalInterface
    public interface RowSink {
        void accept(Object[] row) throws IOException;
    }

    /** Supplies the base rows; {@link #next()} returns null at the end. */
    public interface BaseRows extends AutoCloseable {
        Object[] next() throws IOException;

        @Override
        void close() throws IOException;
    }

    /** Opens the base rows again (the base is read once, or twice only to check keys after a TRUNCATE). */
    @FunctionalInterface
    public interface BaseSource {
        BaseRows open() throws IOException;
    }

    /** What streaming found: rows emitted and deletes/updates whose old row did not exist (anything but 0 = corrupt). */
    public record Totals(long rows, long unmatched) {
    }

    private static final Object[] DELETED = new Object[0];

    private final int[] pk;
    private final int width;
    private boolean truncated;
    private long applied;
    private long unmatched;
    /** Keyed tables: key -> final row image, or {@link #DELETED}. Absent = as in the base (or gone after a TRUNCATE). */
    private final Map<Object, Object[]> overlay = new HashMap<>();
    /** Keys deleted/updated before any TRUNCATE and before any insert: the base must hold them. */
    private final Set<Object> needInBase = new HashSet<>();
    /** Tables without a key, changes since the last TRUNCATE (or the base): row value -> net count and lowest prefix. */
    private Map<List<Object>, Net> multiset = new HashMap<>();
    /** Tables without a key: lowest running count of each row value before the first TRUNCATE (only those < 0). */
    private final Map<List<Object>, Integer> needBeforeTruncate = new HashMap<>();

    private static final class Net {
        int net;
        int low;
    }

    public StreamingReplay(List<ColumnSpec> columns, List<String> primaryKey) {
        width = columns.size();
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

    /** Reads the delta files of {@code m} up to {@code target} (inclusive) into the overlay. */
    public static StreamingReplay readDeltas(Manifest m, TableRebuilder.FileSource files, Lsn target) throws IOException {
        if (target.compareTo(m.baseLsn()) < 0) {
            throw new FormatException("LSN " + target + " is before the base (" + m.baseLsn() + ") of recovery point "
                    + m.recoveryPointId());
        }
        if (target.compareTo(m.coveredLsn()) > 0) {
            throw new FormatException("LSN " + target + " is after the LSN covered by recovery point "
                    + m.recoveryPointId() + " (" + m.coveredLsn() + ")");
        }
        StreamingReplay replay = new StreamingReplay(m.columns(), m.primaryKey());
        Lsn last = m.baseLsn();
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
                    replay.apply(c);
                }
            }
        }
        return replay;
    }

    public void apply(ChangeRecord c) {
        switch (c.op()) {
            case INSERT -> add(require(c.after(), c));
            case DELETE -> remove(require(c.before(), c));
            case UPDATE -> {
                remove(require(c.before(), c));
                add(require(c.after(), c));
            }
            case TRUNCATE -> truncate();
        }
        applied++;
    }

    public long appliedChanges() {
        return applied;
    }

    /** Rows the overlay holds (its memory): changed keys, or distinct changed row values without a key. */
    public int overlaySize() {
        return pk.length > 0 ? overlay.size() + needInBase.size() : multiset.size() + needBeforeTruncate.size();
    }

    private void add(Object[] row) {
        checkWidth(row);
        if (pk.length > 0) {
            overlay.put(key(row), row);
        } else {
            multiset.computeIfAbsent(Arrays.asList(row), k -> new Net()).net++;
        }
    }

    private void remove(Object[] row) {
        checkWidth(row);
        if (pk.length > 0) {
            Object k = key(row);
            Object[] cur = overlay.get(k);
            if (cur == null) {
                if (truncated) {
                    unmatched++; // nothing is left after a TRUNCATE but what was inserted since
                } else {
                    needInBase.add(k); // untouched so far: it must come from the base
                    overlay.put(k, DELETED);
                }
            } else if (cur == DELETED) {
                unmatched++;
            } else {
                overlay.put(k, DELETED);
            }
        } else {
            Net n = multiset.computeIfAbsent(Arrays.asList(row), k -> new Net());
            n.net--;
            n.low = Math.min(n.low, n.net);
        }
    }

    private void truncate() {
        if (pk.length > 0) {
            overlay.clear();
        } else {
            for (Map.Entry<List<Object>, Net> e : multiset.entrySet()) {
                if (!truncated) {
                    if (e.getValue().low < 0) {
                        needBeforeTruncate.put(e.getKey(), e.getValue().low);
                    }
                } else {
                    unmatched += Math.max(0, -e.getValue().low); // this segment started empty
                }
            }
            multiset = new HashMap<>();
        }
        truncated = true;
    }

    /**
     * Streams the table at the target into {@code sink}. May be called more than once (for instance a dry run that
     * only counts); each call reads the base again.
     */
    public Totals stream(BaseSource base, RowSink sink) throws IOException {
        try (Cursor rows = open(base)) {
            for (Object[] row = rows.next(); row != null; row = rows.next()) {
                sink.accept(row);
            }
            return rows.totals();
        }
    }

    /**
     * The table at the target as rows pulled one at a time (for writers that pull, such as a new base file); the
     * base is read once, lazily. Like {@link #stream}, it may be opened more than once.
     */
    public Cursor open(BaseSource base) throws IOException {
        return pk.length > 0 ? new KeyedCursor(base) : new MultisetCursor(base);
    }

    /** Rows at the target, then (after the last row) the totals. */
    public abstract static class Cursor implements BaseRows {
        long rows;
        long bad;
        boolean done;
        /** The base while it is being read. */
        BaseRows in;

        /** What the replay found; only once {@link #next()} has returned null. */
        public Totals totals() {
            if (!done) {
                throw new IllegalStateException("the replay's totals are known only after its last row");
            }
            return new Totals(rows, bad);
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                in.close();
                in = null;
            }
        }
    }

    /** Base rows whose key no change touched, then the overlay's live rows. */
    private final class KeyedCursor extends Cursor {
        private final Set<Object> pending = new HashSet<>(needInBase);
        private final boolean plain = overlay.isEmpty();
        private Iterator<Object[]> changed;

        KeyedCursor(BaseSource base) throws IOException {
            if (!truncated) {
                in = base.open();
            } else if (!pending.isEmpty()) {
                try (BaseRows all = base.open()) {
                    for (Object[] row = all.next(); row != null && !pending.isEmpty(); row = all.next()) {
                        pending.remove(key(row));
                    }
                }
            }
        }

        @Override
        public Object[] next() throws IOException {
            while (in != null) {
                Object[] row = in.next();
                if (row == null) {
                    in.close();
                    in = null;
                    break;
                }
                if (!plain) {
                    Object k = key(row);
                    if (!pending.isEmpty()) {
                        pending.remove(k);
                    }
                    if (overlay.containsKey(k)) {
                        continue; // its final state comes from the changes
                    }
                }
                rows++;
                return row;
            }
            if (changed == null) {
                changed = overlay.values().iterator();
            }
            while (changed.hasNext()) {
                Object[] row = changed.next();
                if (row != DELETED) {
                    rows++;
                    return row;
                }
            }
            if (!done) {
                bad = unmatched + pending.size();
                done = true;
            }
            return null;
        }
    }

    /**
     * Tables without a key: base rows no change touched, then each changed row value as many times as it remains.
     * Base copies of changed values are counted (not emitted) while the base is read.
     */
    private final class MultisetCursor extends Cursor {
        private final Map<List<Object>, Integer> inBase = new HashMap<>();
        private final Map<List<Object>, ?> watched = truncated ? needBeforeTruncate : multiset;
        private Iterator<Map.Entry<List<Object>, Net>> changed;
        private List<Object> repeated;
        private int copiesLeft;

        MultisetCursor(BaseSource base) throws IOException {
            bad = unmatched;
            if (!truncated || !needBeforeTruncate.isEmpty()) {
                in = base.open();
            }
        }

        @Override
        public Object[] next() throws IOException {
            while (in != null) {
                Object[] row = in.next();
                if (row == null) {
                    in.close();
                    in = null;
                    afterBase();
                    break;
                }
                if (!watched.isEmpty()) {
                    List<Object> k = Arrays.asList(row);
                    if (watched.containsKey(k)) {
                        inBase.merge(k, 1, Integer::sum);
                        continue; // emitted below with its changes
                    }
                }
                if (!truncated) {
                    rows++;
                    return row;
                }
            }
            if (changed == null) {
                changed = multiset.entrySet().iterator();
            }
            while (copiesLeft == 0 && changed.hasNext()) {
                Map.Entry<List<Object>, Net> e = changed.next();
                int start = truncated ? 0 : inBase.getOrDefault(e.getKey(), 0);
                // A delete finding no row changes nothing; with running count c = start + prefix, the failed deletes
                // are max(0, -(start + lowest prefix)) and the final count start + net + failures.
                int failures = Math.max(0, -(start + e.getValue().low));
                bad += failures;
                repeated = e.getKey();
                copiesLeft = start + e.getValue().net + failures;
            }
            if (copiesLeft > 0) {
                copiesLeft--;
                rows++;
                return repeated.toArray();
            }
            done = true;
            return null;
        }

        /** Deletes before the TRUNCATE that found no base copy. */
        private void afterBase() {
            if (truncated) {
                for (Map.Entry<List<Object>, Integer> e : needBeforeTruncate.entrySet()) {
                    bad += Math.max(0, -(inBase.getOrDefault(e.getKey(), 0) + e.getValue()));
                }
            }
        }
    }

    private void checkWidth(Object[] row) {
        if (row.length != width) {
            throw new FormatException("change image has " + row.length + " columns, the manifest lists " + width);
        }
    }

    private Object key(Object[] row) {
        if (pk.length == 1) {
            return row[pk[0]];
        }
        Object[] k = new Object[pk.length];
        for (int i = 0; i < pk.length; i++) {
            k[i] = row[pk[i]];
        }
        return Arrays.asList(k);
    }

    private static Object[] require(Object[] image, ChangeRecord c) {
        if (image == null) {
            throw new FormatException(c.op().wireName() + " at " + c.lsn() + " lacks its row image");
        }
        return image;
    }
}
