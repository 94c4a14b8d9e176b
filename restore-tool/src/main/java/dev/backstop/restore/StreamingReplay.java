package dev.backstop.restore;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FileKind;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.parquet.ChangeRecord;
import dev.backstop.snapshot.parquet.RowFileReader;
import dev.backstop.snapshot.parquet.TableRebuilder;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The replay of docs/snapshot-format.md section 8 ("Replay") with memory bounded by the CHANGES, not the table: the
 * delta files up to the target are read first into an overlay holding each touched key's final state (new image or
 * deleted), then the base rows are streamed past it (a base row whose key the overlay holds is dropped, any other is
 * emitted as is), then the overlay's live rows are emitted. A TRUNCATE discards the base and every earlier change.
 *
 * <p>The result equals snapshot-format's {@link TableRebuilder} (same rows as a multiset, same count of unmatched
 * deletes/updates), which keeps every row in memory. Tables without a primary key keep per distinct changed row a
 * net count and the lowest running count, so memory is O(distinct rows changed) there too; a delete of a row value
 * that exists neither in the base nor in earlier changes is unmatched exactly as in the in-memory replay.
 */
final class StreamingReplay {
    /** Receives the table's rows at the target, base rows first (in file order), then changed rows. */
    @FunctionalInterface
    interface RowSink {
        void accept(Object[] row) throws IOException;
    }

    /** Supplies the base rows; {@link #next()} returns null at the end. */
    interface BaseRows extends AutoCloseable {
        Object[] next() throws IOException;

        @Override
        void close() throws IOException;
    }

    /** Opens the base rows again (the base is read once, or twice only to check keys after a TRUNCATE). */
    @FunctionalInterface
    interface BaseSource {
        BaseRows open() throws IOException;
    }

    /** What streaming found: rows emitted and deletes/updates whose old row did not exist (anything but 0 = corrupt). */
    record Totals(long rows, long unmatched) {
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

    StreamingReplay(List<ColumnSpec> columns, List<String> primaryKey) {
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
    static StreamingReplay readDeltas(Manifest m, TableRebuilder.FileSource files, Lsn target) throws IOException {
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

    void apply(ChangeRecord c) {
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

    long appliedChanges() {
        return applied;
    }

    /** Rows the overlay holds (its memory): changed keys, or distinct changed row values without a key. */
    int overlaySize() {
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
    Totals stream(BaseSource base, RowSink sink) throws IOException {
        return pk.length > 0 ? streamKeyed(base, sink) : streamMultiset(base, sink);
    }

    private Totals streamKeyed(BaseSource base, RowSink sink) throws IOException {
        long rows = 0;
        Set<Object> pending = new HashSet<>(needInBase);
        if (!truncated) {
            boolean plain = overlay.isEmpty();
            try (BaseRows in = base.open()) {
                for (Object[] row = in.next(); row != null; row = in.next()) {
                    if (!plain) {
                        Object k = key(row);
                        if (!pending.isEmpty()) {
                            pending.remove(k);
                        }
                        if (overlay.containsKey(k)) {
                            continue; // its final state comes from the changes
                        }
                    }
                    sink.accept(row);
                    rows++;
                }
            }
        } else if (!pending.isEmpty()) {
            try (BaseRows in = base.open()) {
                for (Object[] row = in.next(); row != null && !pending.isEmpty(); row = in.next()) {
                    pending.remove(key(row));
                }
            }
        }
        for (Object[] row : overlay.values()) {
            if (row != DELETED) {
                sink.accept(row);
                rows++;
            }
        }
        return new Totals(rows, unmatched + pending.size());
    }

    private Totals streamMultiset(BaseSource base, RowSink sink) throws IOException {
        long rows = 0;
        long bad = unmatched;
        Map<List<Object>, Integer> inBase = new HashMap<>();
        Map<List<Object>, ?> watched = truncated ? needBeforeTruncate : multiset;
        if (!truncated || !needBeforeTruncate.isEmpty()) {
            try (BaseRows in = base.open()) {
                for (Object[] row = in.next(); row != null; row = in.next()) {
                    if (!watched.isEmpty()) {
                        List<Object> k = Arrays.asList(row);
                        if (watched.containsKey(k)) {
                            inBase.merge(k, 1, Integer::sum);
                            continue; // emitted below with its changes
                        }
                    }
                    if (!truncated) {
                        sink.accept(row);
                        rows++;
                    }
                }
            }
        }
        if (truncated) {
            for (Map.Entry<List<Object>, Integer> e : needBeforeTruncate.entrySet()) {
                bad += Math.max(0, -(inBase.getOrDefault(e.getKey(), 0) + e.getValue()));
            }
        }
        for (Map.Entry<List<Object>, Net> e : multiset.entrySet()) {
            int start = truncated ? 0 : inBase.getOrDefault(e.getKey(), 0);
            // A delete finding no row changes nothing; with running count c = start + prefix, the failed deletes
            // are max(0, -(start + lowest prefix)) and the final count start + net + failures.
            int failures = Math.max(0, -(start + e.getValue().low));
            bad += failures;
            int copies = start + e.getValue().net + failures;
            for (int i = 0; i < copies; i++) {
                sink.accept(e.getKey().toArray());
                rows++;
            }
        }
        return new Totals(rows, bad);
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
