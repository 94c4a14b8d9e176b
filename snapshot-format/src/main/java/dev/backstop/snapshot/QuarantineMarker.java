package dev.backstop.snapshot;

import java.time.Instant;

/** Presence of this object means the recovery point must not be used. */
public record QuarantineMarker(int formatVersion, TableRef table, String recoveryPointId, String reason,
                               String quarantinedBy, Instant quarantinedAt) {
}
