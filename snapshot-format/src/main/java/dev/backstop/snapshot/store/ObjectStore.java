package dev.backstop.snapshot.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The few object-store operations the format needs. Implementations throw {@link ObjectStoreException} when the
 * store is unreachable or refuses; callers fail closed on it.
 */
public interface ObjectStore extends AutoCloseable {
    /** Unconditional write; returns the new object's ETag. */
    String put(String key, byte[] data);

    /** Unconditional write of a local file (streamed); returns the ETag. */
    String putFile(String key, Path file);

    /** Writes only if no object exists at key ({@code If-None-Match: *}). */
    String putIfAbsent(String key, byte[] data) throws PreconditionFailedException;

    /** Writes only if the current object has this ETag ({@code If-Match}). */
    String putIfMatch(String key, byte[] data, String expectedEtag) throws PreconditionFailedException;

    /** The object's bytes, or empty if there is none. */
    Optional<byte[]> get(String key);

    /** Streams the object into a local file; false if there is none. */
    boolean getToFile(String key, Path target);

    Optional<ObjectMeta> head(String key);

    /** Every object whose key starts with prefix, in key order. */
    List<ObjectMeta> list(String prefix);

    void delete(String key);

    @Override
    default void close() {
    }
}
