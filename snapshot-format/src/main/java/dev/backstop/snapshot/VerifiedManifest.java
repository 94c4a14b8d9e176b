package dev.backstop.snapshot;

/**
 * A manifest read from the store whose own checksum matched ({@code manifest} level of spec section 4) and whose file
 * entries are complete. Only {@link RecoveryPointCatalog} creates these.
 */
public record VerifiedManifest(String key, Manifest manifest) {
}
