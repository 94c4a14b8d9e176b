package dev.backstop.restore;

import dev.backstop.snapshot.ColumnSpec;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Computes the Java-side {@link Fingerprint} of the streamed rows on its own thread (it costs about as much CPU as
 * decoding the rows), fed batches of rows through a small bounded queue. Rows must not change after they are handed
 * over (the replay never reuses them). It can also collect the rows' keys ({@link KeyCollector}).
 */
final class FingerprintWorker implements AutoCloseable {
    private static final int BATCH = 1024;
    private static final Object[][] END = new Object[0][];

    private final Fingerprint fingerprint;
    private final KeyCollector keys;
    private final BlockingQueue<Object[][]> queue = new ArrayBlockingQueue<>(8);
    private final Thread thread;
    private volatile Throwable failure;
    private Object[][] batch = new Object[BATCH][];
    private int filled;
    private boolean done;
    private volatile long cpuNanos;

    FingerprintWorker(List<ColumnSpec> columns) {
        this(columns, null);
    }

    /**
     * {@code keys} (may be null) is fed every row too, on this worker's thread: the producer, the bottleneck of the
     * load, hands over each row once whatever is computed from it.
     */
    FingerprintWorker(List<ColumnSpec> columns, KeyCollector keys) {
        fingerprint = new Fingerprint(columns);
        this.keys = keys;
        thread = new Thread(this::run, "backstop-fingerprint");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long cpu0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        try {
            while (true) {
                Object[][] b = queue.take();
                if (b == END) {
                    cpuNanos = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0;
                    return;
                }
                for (Object[] row : b) {
                    if (row == null) {
                        break;
                    }
                    fingerprint.add(row);
                    if (keys != null) {
                        keys.add(row);
                    }
                }
            }
        } catch (InterruptedException e) {
            failure = e;
        } catch (RuntimeException | Error e) {
            // An Error too (out of memory): the producer must see it, not wait for this thread forever.
            failure = e;
            queue.clear();
        }
    }

    void add(Object[] row) throws IOException {
        batch[filled++] = row;
        if (filled == BATCH) {
            put(batch);
            batch = new Object[BATCH][];
            filled = 0;
        }
    }

    private void put(Object[][] b) throws IOException {
        try {
            while (!queue.offer(b, 50, TimeUnit.MILLISECONDS)) {
                check();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fingerprinting");
        }
        check();
    }

    private void check() {
        Throwable t = failure;
        if (t != null) {
            throw new IllegalStateException("fingerprint failed: " + t, t);
        }
    }

    /** Waits for every row handed over (the key collector has seen them all then) and returns the fingerprint. */
    Fingerprint.Value finish() throws IOException {
        if (filled > 0) {
            put(batch); // a partial batch ends at its first null
            filled = 0;
        }
        put(END);
        done = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fingerprinting");
        }
        check();
        return fingerprint.value();
    }

    /** CPU time of the fingerprint thread (after {@link #finish}). */
    long cpuNanos() {
        return cpuNanos;
    }

    @Override
    public void close() {
        if (!done) {
            done = true;
            queue.clear();
            queue.offer(END);
        }
    }
}
