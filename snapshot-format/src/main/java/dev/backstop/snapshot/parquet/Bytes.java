package dev.backstop.snapshot.parquet;

import java.util.Arrays;
import java.util.HexFormat;

/** An immutable byte string with value equality (bytea values inside rows). */
public final class Bytes {
    private final byte[] data;

    private Bytes(byte[] data) {
        this.data = data;
    }

    public static Bytes copyOf(byte[] data) {
        return new Bytes(data.clone());
    }

    /** Takes ownership of the array: the caller must not change it afterwards. */
    public static Bytes wrap(byte[] data) {
        return new Bytes(data);
    }

    public byte[] toByteArray() {
        return data.clone();
    }

    public int length() {
        return data.length;
    }

    byte[] unsafeArray() {
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(data, b.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return data.length > 32 ? "\\x" + HexFormat.of().formatHex(data, 0, 32) + "...(" + data.length + " bytes)"
                : "\\x" + HexFormat.of().formatHex(data);
    }
}
