package dev.backstop.sidecar.pg;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.ValueEncoding;
import dev.backstop.snapshot.parquet.BaseRow;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The binary COPY decoder against hand-built streams: chunk boundaries anywhere, and every malformed case fails. */
class CopyBinaryRowsTest {
    private static final List<ColumnSpec> COLS = List.of(
            ColumnSpec.of("i", "integer", ValueEncoding.INT32, true),
            ColumnSpec.of("t", "text", ValueEncoding.TEXT, true),
            ColumnSpec.decimal("d", "numeric(10,2)", 10, 2, true),
            ColumnSpec.of("ts", "timestamp with time zone", ValueEncoding.TIMESTAMPTZ, true));

    @Test
    void decodesTuplesWhateverTheChunkBoundaries() throws Exception {
        byte[] stream = stream(tuple(field(int4(-5)), field("héllo".getBytes(StandardCharsets.UTF_8)),
                        field("-12.5".getBytes(StandardCharsets.US_ASCII)), field(int8(0))),
                tuple(null, null, null, null));
        for (int size = 1; size <= stream.length; size++) {
            CopyBinaryRows rows = new CopyBinaryRows(chunks(stream, size), COLS);
            BaseRow row = new BaseRow(COLS.size());
            assertTrue(rows.next(row), "chunk size " + size);
            assertFalse(row.isNull(0));
            assertTrue(rows.next(row));
            for (int i = 0; i < COLS.size(); i++) {
                assertTrue(row.isNull(i));
            }
            assertFalse(rows.next(row));
            assertFalse(rows.next(row));
        }
    }

    @Test
    void malformedStreamsFail() {
        byte[] good = tuple(field(int4(1)), null, null, null);
        byte[] badSignature = stream(good);
        badSignature[5] = 'X';
        assertFails("not a binary COPY stream (bad signature)", badSignature);
        byte[] withOids = stream(good);
        withOids[11 + 1] = 1; // flags bit 16: OIDs included
        assertFails("binary COPY stream with unsupported flags 10000", withOids);
        assertFails("binary COPY tuple has 2 fields, expected 4", stream(tuple(null, null)));
        assertFails("column i (int32) came as 8 bytes, expected 4", stream(tuple(field(int8(1)), null, null, null)));
        assertFails("binary COPY stream ended in the middle of a tuple",
                Arrays.copyOf(stream(good), stream(good).length - 4));
        byte[] withExtra = Arrays.copyOf(stream(good), stream(good).length + 1);
        assertFails("binary COPY stream has data after its trailer", withExtra);
        byte[] infinite = stream(tuple(null, null, null, field(int8(Long.MAX_VALUE))));
        FormatException e = assertThrows(FormatException.class, () -> drain(infinite));
        assertEquals("column ts holds an infinite date/time, which cannot be stored", e.getMessage());
    }

    @Test
    void decimalsMatchBigDecimal() {
        ColumnSpec c = ColumnSpec.decimal("d", "numeric(18,4)", 18, 4, true);
        Random r = new Random(42);
        for (int k = 0; k < 20_000; k++) {
            BigDecimal v = BigDecimal.valueOf(r.nextLong() % 100_000_000_000_000L, r.nextInt(5));
            byte[] text = v.toPlainString().getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(v.setScale(4).unscaledValue().toByteArray(),
                    CopyBinaryRows.Decimals.unscaled(text, 0, text.length, c), v.toPlainString());
        }
        for (long x : new long[]{0, 1, -1, 127, 128, -128, -129, 255, 256, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertArrayEquals(BigInteger.valueOf(x).toByteArray(), CopyBinaryRows.Decimals.twosComplement(x));
        }
        ColumnSpec wide = ColumnSpec.decimal("w", "numeric(38,10)", 38, 10, true);
        byte[] big = "-1234567890123456789012345678.0123456789".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(new BigDecimal("-1234567890123456789012345678.0123456789").unscaledValue().toByteArray(),
                CopyBinaryRows.Decimals.unscaled(big, 0, big.length, wide));
        byte[] nan = "NaN".getBytes(StandardCharsets.US_ASCII);
        assertEquals("column d holds 'NaN', which numeric(18,4) storage cannot represent",
                assertThrows(FormatException.class, () -> CopyBinaryRows.Decimals.unscaled(nan, 0, 3, c)).getMessage());
        byte[] tooWide = "123456789012345.5".getBytes(StandardCharsets.US_ASCII);
        assertEquals("value of d exceeds numeric(18)", assertThrows(FormatException.class,
                () -> CopyBinaryRows.Decimals.unscaled(tooWide, 0, tooWide.length, c)).getMessage());
    }

    @Test
    void blockRangesCoverTheHeap() {
        assertEquals(List.of(BaseCopySql.BlockRange.ALL), BaseCopier.ranges(0, 4, 1024));
        assertEquals(List.of(BaseCopySql.BlockRange.ALL), BaseCopier.ranges(2047, 4, 1024));
        assertEquals(List.of(new BaseCopySql.BlockRange(null, 1024L), new BaseCopySql.BlockRange(1024L, null)),
                BaseCopier.ranges(2048, 4, 1024));
        assertEquals(List.of(new BaseCopySql.BlockRange(null, 3L), new BaseCopySql.BlockRange(3L, 6L),
                new BaseCopySql.BlockRange(6L, null)), BaseCopier.ranges(10, 3, 1));
    }

    private static void assertFails(String message, byte[] stream) {
        SQLException e = assertThrows(SQLException.class, () -> drain(stream));
        assertEquals(message, e.getMessage());
    }

    private static void drain(byte[] stream) throws SQLException {
        CopyBinaryRows rows = new CopyBinaryRows(chunks(stream, 7), COLS);
        BaseRow row = new BaseRow(COLS.size());
        while (rows.next(row)) {
            // read everything
        }
    }

    private static CopyBinaryRows.Chunks chunks(byte[] stream, int size) {
        Deque<byte[]> q = new ArrayDeque<>();
        for (int off = 0; off < stream.length; off += size) {
            q.add(Arrays.copyOfRange(stream, off, Math.min(stream.length, off + size)));
        }
        return q::poll;
    }

    private static byte[] stream(byte[]... tuples) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(int4(0));
        out.writeBytes(int4(3));
        out.writeBytes(new byte[]{9, 9, 9}); // header extension, skipped
        for (byte[] t : tuples) {
            out.writeBytes(t);
        }
        out.writeBytes(new byte[]{(byte) 0xFF, (byte) 0xFF});
        return out.toByteArray();
    }

    private static byte[] tuple(byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) (fields.length >> 8), (byte) fields.length});
        for (byte[] f : fields) {
            out.writeBytes(f == null ? int4(-1) : f);
        }
        return out.toByteArray();
    }

    private static byte[] field(byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(int4(value.length));
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] int4(int v) {
        return new byte[]{(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    private static byte[] int8(long v) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            d.writeLong(v);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return b.toByteArray();
    }
}
