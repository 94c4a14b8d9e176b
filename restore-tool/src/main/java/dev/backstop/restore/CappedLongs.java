package dev.backstop.restore;

import java.util.Arrays;

/**
 * A growable {@code long[]} that refuses to hold more than {@code cap} values: key sets are an optional speed-up, so
 * one that would take too much of the heap is given up ({@link #add} returns false, the values are dropped) rather
 * than allowed to fail the restore.
 */
final class CappedLongs {
    private final long cap;
    private long[] values;
    private int size;
    private boolean over;

    /** {@code expected}: a size hint (values beyond it make the array grow); {@code cap}: at most this many values. */
    CappedLongs(long expected, long cap) {
        this.cap = Math.min(Math.max(cap, 0), Integer.MAX_VALUE - 8);
        this.values = new long[(int) Math.min(Math.max(expected, 16), this.cap)];
    }

    /** Adds {@code v}; false (and the values dropped) once more than the cap were offered. */
    boolean add(long v) {
        if (over) {
            return false;
        }
        if (size == values.length && !grow()) {
            return false;
        }
        values[size++] = v;
        return true;
    }

    private boolean grow() {
        if (size >= cap) {
            drop();
            return false;
        }
        long next = Math.min(cap, Math.max((long) size + (size >> 1), (long) size + 1024));
        try {
            values = Arrays.copyOf(values, (int) next);
            return true;
        } catch (OutOfMemoryError e) {
            // Only this optional array failed to fit; giving it up leaves the heap as it was before.
            drop();
            return false;
        }
    }

    /** Gives the values up: {@link #sorted()} returns null from now on. */
    void drop() {
        over = true;
        values = null;
        size = 0;
    }

    boolean over() {
        return over;
    }

    int size() {
        return size;
    }

    /**
     * The values sorted ascending, or null if over the cap (or if sorting them does not fit in the heap). The values
     * are handed over: a second call is an error, never an empty (and so wrong) key set.
     */
    private static boolean ascending(long[] a) {
        for (int i = 1; i < a.length; i++) {
            if (a[i - 1] > a[i]) {
                return false;
            }
        }
        return true;
    }

    long[] sorted() {
        if (over) {
            return null;
        }
        if (values == null) {
            throw new IllegalStateException("the values were handed over already");
        }
        long[] out = values;
        values = null;
        try {
            out = size == out.length ? out : Arrays.copyOf(out, size);
            // Keys often arrive in order already (a table read in physical order that follows its key): one pass
            // then spares the sort, and the JIT the compilation of the sort's loops in a short-lived process.
            if (!ascending(out)) {
                Arrays.sort(out); // may take a buffer as large as the array for data made of a few sorted runs
            }
            return out;
        } catch (OutOfMemoryError e) {
            over = true; // this optional set only: the counts are measured in SQL instead
            return null;
        }
    }
}
