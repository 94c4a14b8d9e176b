package dev.backstop.restore;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.ValueEncoding;
import java.util.List;

/**
 * Keeps the primary key of every streamed row when that key is one integer column, so the copyback counts can be
 * measured by merging these keys with the live table's instead of a server-side join of both tables. Fed on the
 * fingerprint thread (the producer does not pay for it). Never fails: a key it cannot keep (NULL, not an integer,
 * more than {@link #limit()} keys) makes it give the whole set up, and the counts are then measured in SQL.
 */
final class KeyCollector {
    private static volatile long limitForTests = -1;

    private final int column;
    private final CappedLongs keys;

    private KeyCollector(int column, long expectedRows) {
        long limit = limit();
        this.column = column;
        // Sized up front when the rows will fit (no copies while growing); a table expected over the limit starts
        // small rather than taking the largest array only to give it up.
        this.keys = new CappedLongs(expectedRows <= limit ? expectedRows : 0, limit);
    }

    /**
     * A collector for the table's key, or null when the key is not exactly one INT16, INT32 or INT64 column.
     * {@code expectedRows} (may be null) sizes the array up front.
     */
    static KeyCollector forKey(List<ColumnSpec> columns, List<String> primaryKey, Long expectedRows) {
        if (primaryKey.size() != 1) {
            return null;
        }
        for (int i = 0; i < columns.size(); i++) {
            ColumnSpec c = columns.get(i);
            if (c.name().equals(primaryKey.get(0))) {
                ValueEncoding e = c.encoding();
                boolean integer = e == ValueEncoding.INT16 || e == ValueEncoding.INT32 || e == ValueEncoding.INT64;
                return integer ? new KeyCollector(i, expectedRows == null ? 0 : expectedRows) : null;
            }
        }
        return null;
    }

    /**
     * Most keys held in one array (recovered or live): 1/8 of the heap as {@code long}s, so the recovered and the
     * live key sets fit beside everything else the restore holds.
     */
    static long limit() {
        long l = limitForTests;
        return l >= 0 ? l : Runtime.getRuntime().maxMemory() / 64;
    }

    /** Tests: a small limit; negative restores the default. */
    static void setLimitForTests(long limit) {
        limitForTests = limit;
    }

    /** Called for every streamed row, on one thread. */
    void add(Object[] row) {
        if (keys.over()) {
            return;
        }
        Object v = row[column];
        if (v instanceof Long || v instanceof Integer || v instanceof Short) {
            keys.add(((Number) v).longValue());
        } else {
            // A NULL key fails the validation anyway; anything else is not what the encoding promises. Either way
            // the set would miss a key: it is given up, never used incomplete.
            keys.drop();
        }
    }

    /** The keys, sorted; null if the set was given up. Call once, after the last row. */
    long[] sorted() {
        return keys.sorted();
    }
}
