package dev.backstop.sidecar.pg;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.ValueEncoding;
import dev.backstop.snapshot.parquet.BaseRow;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes the stream of {@code COPY (SELECT ...) TO STDOUT (FORMAT binary)} (PostgreSQL's documented binary COPY
 * format) into {@link BaseRow}s, in the Parquet form of each column's encoding. The SELECT must list the columns in
 * order, each in the form {@link BaseCopySql} gives it: the type's own binary form for the encodings decoded here,
 * its text output (a {@code text} value) for numeric and pg_text columns. Any deviation (wrong field count or
 * length, infinite dates, a truncated stream) is an error: the base is not taken.
 */
final class CopyBinaryRows {
    /** The chunks of the stream in order (one CopyData message each); null at the end. */
    @FunctionalInterface
    interface Chunks {
        byte[] next() throws SQLException;
    }

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    /** PostgreSQL counts dates and timestamps from 2000-01-01; Parquet from 1970-01-01. */
    private static final int PG_EPOCH_DAYS = 10_957;
    private static final long PG_EPOCH_MICROS = PG_EPOCH_DAYS * 86_400_000_000L;
    private static final long DAY_MICROS = 86_400_000_000L;
    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    private final Chunks chunks;
    private final List<ColumnSpec> columns;
    private final ValueEncoding[] encodings;
    private final int[] fixed;
    private byte[] buf = new byte[0];
    private int pos;
    private boolean started;
    private boolean ended;

    CopyBinaryRows(Chunks chunks, List<ColumnSpec> columns) {
        this.chunks = chunks;
        this.columns = List.copyOf(columns);
        this.encodings = columns.stream().map(ColumnSpec::encoding).toArray(ValueEncoding[]::new);
        this.fixed = new int[encodings.length];
        for (int i = 0; i < encodings.length; i++) {
            fixed[i] = fixedLength(encodings[i]);
        }
    }

    /** Fills {@code row} with the next tuple (every column set or NULL); false once the stream has ended. */
    boolean next(BaseRow row) throws SQLException {
        if (ended) {
            return false;
        }
        if (!started) {
            readHeader();
            started = true;
        }
        ensure(2);
        short fields = (short) (((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF));
        pos += 2;
        if (fields == -1) {
            ended = true;
            if (pos != buf.length || chunks.next() != null) {
                throw new SQLException("binary COPY stream has data after its trailer");
            }
            return false;
        }
        if (fields != encodings.length) {
            throw new SQLException("binary COPY tuple has " + fields + " fields, expected " + encodings.length);
        }
        for (int i = 0; i < encodings.length; i++) {
            ensure(4);
            int len = (int) INT.get(buf, pos);
            pos += 4;
            if (len == -1) {
                row.setNull(i);
                continue;
            }
            if (len < 0) {
                throw new SQLException("binary COPY field of negative length " + len);
            }
            ensure(len);
            decode(row, i, buf, pos, len);
            pos += len;
        }
        return true;
    }

    private void readHeader() throws SQLException {
        ensure(SIGNATURE.length + 8);
        if (!Arrays.equals(buf, pos, pos + SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
            throw new SQLException("not a binary COPY stream (bad signature)");
        }
        pos += SIGNATURE.length;
        int flags = (int) INT.get(buf, pos);
        if ((flags & 0xFFFF0000) != 0) {
            // Bit 16 means OIDs are included; higher bits are critical flags this reader does not know.
            throw new SQLException("binary COPY stream with unsupported flags " + Integer.toHexString(flags));
        }
        int extension = (int) INT.get(buf, pos + 4);
        pos += 8;
        if (extension < 0) {
            throw new SQLException("binary COPY header extension of negative length");
        }
        ensure(extension);
        pos += extension;
    }

    /** Makes n bytes available at pos, joining chunks when a value spans them (old arrays are never changed). */
    private void ensure(int n) throws SQLException {
        while (buf.length - pos < n) {
            byte[] more = chunks.next();
            if (more == null) {
                throw new SQLException("binary COPY stream ended in the middle of a tuple");
            }
            int left = buf.length - pos;
            if (left == 0) {
                buf = more;
            } else {
                byte[] joined = Arrays.copyOfRange(buf, pos, pos + left + more.length);
                System.arraycopy(more, 0, joined, left, more.length);
                buf = joined;
            }
            pos = 0;
        }
    }

    private void decode(BaseRow row, int i, byte[] b, int off, int len) throws SQLException {
        ColumnSpec c = columns.get(i);
        ValueEncoding e = encodings[i];
        if (fixed[i] > 0 && len != fixed[i]) {
            throw new SQLException("column " + c.name() + " (" + e.wireName() + ") came as " + len
                    + " bytes, expected " + fixed[i]);
        }
        switch (e) {
            case INT16 -> row.setInt(i, (short) (((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF)));
            case INT32 -> row.setInt(i, (int) INT.get(b, off));
            case INT64 -> row.setLong(i, (long) LONG.get(b, off));
            case FLOAT32 -> row.setFloat(i, Float.intBitsToFloat((int) INT.get(b, off)));
            case FLOAT64 -> row.setDouble(i, Double.longBitsToDouble((long) LONG.get(b, off)));
            case BOOL -> row.setBoolean(i, b[off] != 0);
            case UUID, BYTES, TEXT, NUMERIC_TEXT, PG_TEXT -> {
                // A copy, not a slice of the row's message: Parquet keeps dictionary entries and statistics by
                // reference, and a short value must not pin a whole (possibly huge, TOASTed) row in memory.
                row.setBytes(i, Arrays.copyOfRange(b, off, off + len), 0, len);
            }
            case DATE -> {
                int days = (int) INT.get(b, off);
                if (days == Integer.MAX_VALUE || days == Integer.MIN_VALUE) {
                    throw infinite(c);
                }
                row.setInt(i, Math.addExact(days, PG_EPOCH_DAYS));
            }
            case TIME -> {
                long micros = (long) LONG.get(b, off);
                // PostgreSQL allows 24:00:00; the row form has always stored it as LocalTime.MAX (23:59:59.999999).
                row.setLong(i, micros == DAY_MICROS ? DAY_MICROS - 1 : micros);
            }
            case TIMESTAMP, TIMESTAMPTZ -> {
                long micros = (long) LONG.get(b, off);
                if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
                    throw infinite(c);
                }
                try {
                    row.setLong(i, Math.addExact(micros, PG_EPOCH_MICROS));
                } catch (ArithmeticException x) {
                    throw new FormatException("column " + c.name() + " holds a timestamp out of the storable range");
                }
            }
            case DECIMAL -> {
                byte[] unscaled = Decimals.unscaled(b, off, len, c);
                row.setBytes(i, unscaled, 0, unscaled.length);
            }
        }
    }

    /** The length of the encoding's binary form, or 0 when it varies. */
    private static int fixedLength(ValueEncoding e) {
        return switch (e) {
            case BOOL -> 1;
            case INT16 -> 2;
            case INT32, FLOAT32, DATE -> 4;
            case INT64, FLOAT64, TIME, TIMESTAMP, TIMESTAMPTZ -> 8;
            case UUID -> 16;
            case DECIMAL, NUMERIC_TEXT, TEXT, PG_TEXT, BYTES -> 0;
        };
    }

    private static FormatException infinite(ColumnSpec c) {
        return new FormatException("column " + c.name() + " holds an infinite date/time, which cannot be stored");
    }

    /** numeric(p,s) text output -> unscaled two's-complement bytes at scale s (exactly what BigInteger writes). */
    static final class Decimals {
        private Decimals() {
        }

        static byte[] unscaled(byte[] b, int off, int len, ColumnSpec c) {
            long fast = fastUnscaled(b, off, len, c.scale());
            BigDecimal d;
            if (fast != Long.MIN_VALUE) {
                if (digits(fast) > c.precision()) {
                    throw tooWide(c);
                }
                return twosComplement(fast);
            }
            String s = new String(b, off, len, StandardCharsets.US_ASCII);
            try {
                d = new BigDecimal(s).setScale(c.scale());
            } catch (NumberFormatException | ArithmeticException e) {
                throw new FormatException("column " + c.name() + " holds '" + s + "', which numeric("
                        + c.precision() + "," + c.scale() + ") storage cannot represent");
            }
            if (d.precision() > c.precision()) {
                throw tooWide(c);
            }
            return d.unscaledValue().toByteArray();
        }

        /** [-]digits[.digits] with at most 18 digits and no more fraction digits than scale; else Long.MIN_VALUE. */
        static long fastUnscaled(byte[] b, int off, int len, int scale) {
            int i = off;
            int end = off + len;
            boolean negative = i < end && b[i] == '-';
            if (negative) {
                i++;
            }
            long v = 0;
            int digits = 0;
            int fraction = -1;
            for (; i < end; i++) {
                int ch = b[i];
                if (ch >= '0' && ch <= '9') {
                    v = v * 10 + (ch - '0');
                    if (++digits > 18) {
                        return Long.MIN_VALUE;
                    }
                    if (fraction >= 0) {
                        fraction++;
                    }
                } else if (ch == '.' && fraction < 0) {
                    fraction = 0;
                } else {
                    return Long.MIN_VALUE;
                }
            }
            if (digits == 0 || fraction == 0) {
                return Long.MIN_VALUE;
            }
            int frac = Math.max(fraction, 0);
            if (frac > scale || digits + (scale - frac) > 18) {
                return Long.MIN_VALUE;
            }
            v *= POW10[scale - frac];
            return negative ? -v : v;
        }

        static int digits(long v) {
            long a = Math.abs(v);
            int n = 1;
            while (n < 19 && a >= POW10[n]) {
                n++;
            }
            return n;
        }

        /** Same bytes as BigInteger.valueOf(v).toByteArray(): big-endian, minimal length, sign bit included. */
        static byte[] twosComplement(long v) {
            int bits = 64 - Long.numberOfLeadingZeros(v ^ (v >> 63));
            int n = bits / 8 + 1;
            byte[] out = new byte[n];
            for (int k = n - 1; k >= 0; k--) {
                out[k] = (byte) v;
                v >>= 8;
            }
            return out;
        }

        private static FormatException tooWide(ColumnSpec c) {
            return new FormatException("value of " + c.name() + " exceeds numeric(" + c.precision() + ")");
        }
    }
}
