package dev.backstop.sidecar.cdc;

import dev.backstop.snapshot.Lsn;

import java.time.Instant;

/**
 * What is durable in S3: the highest published heartbeat (sequence, when it was written) and the durable LSN.
 * Flush callers wait here for their heartbeat.
 */
public final class Durability {
    private long durableHeartbeatSeq = -1;
    private Instant heartbeatWrittenAt;
    private Lsn durableLsn = Lsn.ZERO;

    public synchronized void durable(long heartbeatSeq, Instant writtenAt, Lsn lsn) {
        if (heartbeatSeq > durableHeartbeatSeq) {
            durableHeartbeatSeq = heartbeatSeq;
            heartbeatWrittenAt = writtenAt;
        }
        durableLsn = Lsn.max(durableLsn, lsn);
        notifyAll();
    }

    /** Everything up to {@code lsn} is durable in S3 (each successful flush). */
    public synchronized void flushed(Lsn lsn) {
        durableLsn = Lsn.max(durableLsn, lsn);
    }

    public synchronized Lsn durableLsn() {
        return durableLsn;
    }

    /** When the last published heartbeat was written through PostgreSQL; null before the first. */
    public synchronized Instant heartbeatWrittenAt() {
        return heartbeatWrittenAt;
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
