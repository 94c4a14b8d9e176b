package dev.backstop.snapshot.parquet;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A text value kept as the UTF-8 bytes its file stores, for readers that only pass text on (the restore tool writes
 * these bytes to COPY and hashes them as they are, where a {@link String} would be decoded once and encoded twice).
 * Only {@link BaseReader#sourceOf(dev.backstop.snapshot.Manifest, TableRebuilder.FileSource, boolean)} gives these,
 * and never for a key column: a row's key is always compared as a String. Value equality by bytes; not equal to a
 * String of the same text.
 */
public final class Utf8Text {
    private final byte[] utf8;

    private Utf8Text(byte[] utf8) {
        this.utf8 = utf8;
    }

    /** Takes ownership of the array: the caller must not change it afterwards. */
    public static Utf8Text wrap(byte[] utf8) {
        return new Utf8Text(utf8);
    }

    /** The bytes themselves, not a copy: read them, never change them. */
    public byte[] bytes() {
        return utf8;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Utf8Text t && Arrays.equals(utf8, t.utf8);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(utf8);
    }

    /** The text itself (decoded). */
    @Override
    public String toString() {
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
