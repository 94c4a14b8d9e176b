package dev.backstop.sidecar.cdc;

import dev.backstop.snapshot.Lsn;

/** The highest heartbeat sequence that came back through the stream and was made durable, for flush waiters. */
public final class Durability {
    private long durableHeartbeatSeq = -1;
    private Lsn durableLsn = Lsn.ZERO;

    public synchronized void durable(long heartbeatSeq, Lsn lsn) {
        durableHeartbeatSeq = Math.max(durableHeartbeatSeq, heartbeatSeq);
        durableLsn = Lsn.max(durableLsn, lsn);
        notifyAll();
    }

    public synchronized Lsn durableLsn() {
        return durableLsn;
    }

    /** Waits until heartbeat {@code seq} is durable; returns the durable LSN, or null on timeout. */
    public synchronized Lsn awaitHeartbeat(long seq, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (durableHeartbeatSeq < seq) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return null;
            }
            wait(left);
        }
        return durableLsn;
    }
}
