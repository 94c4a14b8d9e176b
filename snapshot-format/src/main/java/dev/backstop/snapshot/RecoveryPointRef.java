package dev.backstop.snapshot;

/** A recovery point found by listing {@code manifests/}: not yet read or verified. */
public record RecoveryPointRef(TableRef table, String recoveryPointId, String manifestKey, Lsn coveredLsn) {
}
