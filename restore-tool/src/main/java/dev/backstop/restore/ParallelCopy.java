package dev.backstop.restore;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Feeds one COPY per connection from a bounded queue of chunks (each chunk whole rows), so the rows are decoded and
 * encoded on the calling thread while the server parses and stores them, on as many connections (backends, cores) as
 * given. Memory: at most {@code 2 x connections + 2} chunks in flight. Any failure on either side stops every COPY;
 * the caller drops the half-loaded table.
 */
final class ParallelCopy implements AutoCloseable {
    private static final byte[] END = new byte[0];
    private static final byte[] ABORT = new byte[0];

    private final BlockingQueue<byte[]> queue;
    private final List<Thread> threads = new ArrayList<>();
    private final long[] counts;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private boolean finished;
    private long waitNanos;

    /** Starts one COPY per connection: {@code sql} is the COPY statement, {@code header}/{@code trailer} may be empty. */
    ParallelCopy(List<Connection> connections, String sql, byte[] header, byte[] trailer) {
        queue = new ArrayBlockingQueue<>(2 * connections.size() + 2);
        counts = new long[connections.size()];
        for (int i = 0; i < connections.size(); i++) {
            int idx = i;
            Connection c = connections.get(i);
            Thread t = new Thread(() -> feed(idx, c, sql, header, trailer), "backstop-copy-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void feed(int idx, Connection c, String sql, byte[] header, byte[] trailer) {
        CopyIn in = null;
        try {
            in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
            if (header.length > 0) {
                in.writeToCopy(header, 0, header.length);
            }
            while (true) {
                byte[] chunk = queue.take();
                if (chunk == END) {
                    if (trailer.length > 0) {
                        in.writeToCopy(trailer, 0, trailer.length);
                    }
                    counts[idx] = in.endCopy();
                    return;
                }
                if (chunk == ABORT) {
                    in.cancelCopy();
                    return;
                }
                in.writeToCopy(chunk, 0, chunk.length);
            }
        } catch (SQLException | RuntimeException | InterruptedException | Error e) {
            // An Error too (out of memory): the producer must see it, not wait for a free stream forever.
            failure.compareAndSet(null, e);
            queue.clear(); // unblock the producer; it sees the failure
            // The clear may have taken the other streams' END markers: stop them explicitly, or they wait forever.
            for (int i = 0; i < threads.size(); i++) {
                queue.offer(ABORT);
            }
            if (in != null && in.isActive()) {
                try {
                    in.cancelCopy();
                } catch (SQLException ignored) {
                    // the first failure is the one reported
                }
            }
        }
    }

    /** Hands one chunk (whole rows) to whichever COPY is free; blocks while every connection is busy. */
    void send(byte[] chunk) throws IOException {
        put(chunk);
    }

    private void put(byte[] item) throws IOException {
        try {
            if (!queue.offer(item)) {
                long t0 = System.nanoTime();
                while (!queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
                    rethrow();
                }
                waitNanos += System.nanoTime() - t0;
            }
            rethrow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while loading");
        }
    }

    private void rethrow() throws IOException {
        Throwable t = failure.get();
        if (t != null) {
            throw new CopyFailedException(t);
        }
    }

    /** Time the producer spent waiting for a free slot (every COPY busy). */
    long waitNanos() {
        return waitNanos;
    }

    /** Ends every COPY and waits for them; returns the total row count the server reported. */
    long finish() throws IOException {
        for (int i = 0; i < threads.size(); i++) {
            put(END);
        }
        join();
        rethrow();
        finished = true;
        long total = 0;
        for (long n : counts) {
            total += n;
        }
        return total;
    }

    private void join() throws IOException {
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while loading");
            }
        }
    }

    /** Cancels every COPY still running (after a failure on the producer side). */
    @Override
    public void close() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        failure.compareAndSet(null, new IllegalStateException("load abandoned"));
        queue.clear();
        for (int i = 0; i < threads.size(); i++) {
            queue.offer(ABORT);
        }
        join();
    }

    /** A COPY failed on the server or the connection; the cause is the SQL error. */
    static final class CopyFailedException extends IOException {
        CopyFailedException(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }
}
