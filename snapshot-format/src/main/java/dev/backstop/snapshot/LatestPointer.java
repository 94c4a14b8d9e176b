package dev.backstop.snapshot;

import java.time.Instant;

/** {@code latest.json}: the current manifest of a table. */
public record LatestPointer(int formatVersion, TableRef table, String recoveryPointId, String manifestKey,
                            String manifestSha256, Lsn coveredLsn, Instant updatedAt) {
}
