package dev.backstop.snapshot;

/** Where a recovery point's data came from. {@code systemIdentifier} is PostgreSQL's 64-bit id as text. */
public record SourceInfo(String database, String systemIdentifier, long timeline, String sidecarId, String slotName) {
}
