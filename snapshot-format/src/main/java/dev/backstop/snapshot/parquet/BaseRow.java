package dev.backstop.snapshot.parquet;

import org.apache.parquet.io.api.Binary;

import java.util.Arrays;

/**
 * One base row being assembled for {@link BaseFileWriter}, meant to be reused from row to row: values are held unboxed (numbers,
 * booleans and floating-point bits in a {@code long}, everything else as a Parquet {@link Binary}) so the hot base-copy
 * path allocates nothing per value but the bytes it has to keep. The caller sets each column in the Java-free
 * Parquet form of its encoding (see {@link ValueCodec}): int16/int32/date as int, int64/time/timestamp(tz) as
 * microseconds, decimal as the unscaled two's-complement bytes, text as UTF-8, uuid as its 16 big-endian bytes.
 * A column not set since the last {@link #clear()} is NULL.
 */
public final class BaseRow {
    final long[] longs;
    final Binary[] binaries;
    final boolean[] present;

    public BaseRow(int columns) {
        this.longs = new long[columns];
        this.binaries = new Binary[columns];
        this.present = new boolean[columns];
    }

    public int columns() {
        return present.length;
    }

    public void setInt(int column, int v) {
        longs[column] = v;
        present[column] = true;
    }

    public void setLong(int column, long v) {
        longs[column] = v;
        present[column] = true;
    }

    public void setBoolean(int column, boolean v) {
        longs[column] = v ? 1 : 0;
        present[column] = true;
    }

    public void setFloat(int column, float v) {
        longs[column] = Float.floatToRawIntBits(v);
        present[column] = true;
    }

    public void setDouble(int column, double v) {
        longs[column] = Double.doubleToRawLongBits(v);
        present[column] = true;
    }

    /** The bytes are referenced, not copied: they must not change afterwards. */
    public void setBytes(int column, byte[] bytes, int offset, int length) {
        binaries[column] = Binary.fromConstantByteArray(bytes, offset, length);
        present[column] = true;
    }

    public void setNull(int column) {
        present[column] = false;
        binaries[column] = null;
    }

    public boolean isNull(int column) {
        return !present[column];
    }

    /** Every column back to NULL (and drops references to byte arrays). */
    public void clear() {
        Arrays.fill(present, false);
        Arrays.fill(binaries, null);
    }
}
