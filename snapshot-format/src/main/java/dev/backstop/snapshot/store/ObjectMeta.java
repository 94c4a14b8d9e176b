package dev.backstop.snapshot.store;

/** Size and ETag (without quotes) of a stored object. */
public record ObjectMeta(String key, long size, String etag) {
}
