package dev.backstop.snapshot;

import java.time.Instant;

/**
 * {@code heartbeat/{sidecar_id}.json}: published only after the heartbeat row written at {@code writtenAt} came back
 * through the CDC stream at {@code lsn} and every earlier change was durable in S3 ({@code durableLsn}).
 */
public record Heartbeat(int formatVersion, String sidecarId, String database, String systemIdentifier,
                        String slotName, long sequence, Instant writtenAt, Lsn lsn, Lsn durableLsn,
                        Instant publishedAt) {
}
