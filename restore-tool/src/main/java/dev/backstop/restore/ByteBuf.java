package dev.backstop.restore;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A growable byte buffer for COPY data (big-endian integers as the COPY binary format wants). */
final class ByteBuf {
    // One big-endian store each instead of a store per byte (the load writes several per value).
    private static final VarHandle SHORT_BE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] data;
    private int size;

    ByteBuf(int capacity) {
        data = new byte[capacity];
    }

    int size() {
        return size;
    }

    byte[] array() {
        return data;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(data, size);
    }

    void clear() {
        size = 0;
    }

    private void ensure(int more) {
        if (size + more > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, size + more));
        }
    }

    ByteBuf put(int b) {
        ensure(1);
        data[size++] = (byte) b;
        return this;
    }

    ByteBuf put(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, data, size, b.length);
        size += b.length;
        return this;
    }

    ByteBuf put(byte[] b, int offset, int length) {
        ensure(length);
        System.arraycopy(b, offset, data, size, length);
        size += length;
        return this;
    }

    ByteBuf putShort(int v) {
        ensure(2);
        SHORT_BE.set(data, size, (short) v);
        size += 2;
        return this;
    }

    ByteBuf putInt(int v) {
        ensure(4);
        INT_BE.set(data, size, v);
        size += 4;
        return this;
    }

    ByteBuf putLong(long v) {
        ensure(8);
        LONG_BE.set(data, size, v);
        size += 8;
        return this;
    }

    /** Reserves a 4-byte length slot; returns its position for {@link #fillLength}. */
    int reserveLength() {
        ensure(4);
        size += 4;
        return size - 4;
    }

    /** Writes the number of bytes written since the slot at {@code pos} into it. */
    void fillLength(int pos) {
        int v = size - pos - 4;
        data[pos] = (byte) (v >>> 24);
        data[pos + 1] = (byte) (v >>> 16);
        data[pos + 2] = (byte) (v >>> 8);
        data[pos + 3] = (byte) v;
    }

    /** ASCII-only text (digits, hex, fixed words). */
    ByteBuf putAscii(CharSequence s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            data[size++] = (byte) s.charAt(i);
        }
        return this;
    }

    /**
     * {@code unscaled / 10^scale} as {@link java.math.BigDecimal#toPlainString()} prints it (and PostgreSQL prints a
     * numeric of that scale): optional minus, at least one integer digit, and exactly {@code scale} fraction digits.
     * Needs {@code 0 <= scale <= 18} and {@code unscaled != Long.MIN_VALUE}.
     */
    ByteBuf putPlainDecimal(long unscaled, int scale) {
        long u = Math.abs(unscaled);
        int digits = 1;
        for (long t = u; t >= 10; t /= 10) {
            digits++;
        }
        int len = (unscaled < 0 ? 1 : 0) + Math.max(digits - scale, 1) + (scale > 0 ? scale + 1 : 0);
        ensure(len);
        int p = size + len;
        for (int i = 0; i < scale; i++) {
            data[--p] = (byte) ('0' + u % 10);
            u /= 10;
        }
        if (scale > 0) {
            data[--p] = '.';
        }
        do {
            data[--p] = (byte) ('0' + u % 10);
            u /= 10;
        } while (u > 0);
        if (unscaled < 0) {
            data[--p] = '-';
        }
        size += len;
        return this;
    }

    /** UTF-8 of {@code s}; with {@code copyEscape}, COPY text escapes for backslash, newline, carriage return, tab. */
    ByteBuf putUtf8(String s, boolean copyEscape) {
        int n = s.length();
        ensure(n * 3 + 8); // at most 3 bytes per char; an escape takes 2
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) {
                if (copyEscape) {
                    switch (ch) {
                        case '\\' -> {
                            data[size++] = '\\';
                            data[size++] = '\\';
                            continue;
                        }
                        case '\n' -> {
                            data[size++] = '\\';
                            data[size++] = 'n';
                            continue;
                        }
                        case '\r' -> {
                            data[size++] = '\\';
                            data[size++] = 'r';
                            continue;
                        }
                        case '\t' -> {
                            data[size++] = '\\';
                            data[size++] = 't';
                            continue;
                        }
                        default -> {
                        }
                    }
                }
                data[size++] = (byte) ch;
            } else if (ch < 0x800) {
                data[size++] = (byte) (0xC0 | (ch >> 6));
                data[size++] = (byte) (0x80 | (ch & 0x3F));
            } else if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(ch, s.charAt(++i));
                data[size++] = (byte) (0xF0 | (cp >> 18));
                data[size++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                data[size++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                data[size++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                data[size++] = (byte) (0xE0 | (ch >> 12));
                data[size++] = (byte) (0x80 | ((ch >> 6) & 0x3F));
                data[size++] = (byte) (0x80 | (ch & 0x3F));
            }
        }
        return this;
    }
}
