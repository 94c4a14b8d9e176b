package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.ValueEncoding;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The binary COPY key reader, the merge of key sets into copyback counts, and the key collector's limits. */
class KeyCountsTest {

    /** A binary COPY stream as PostgreSQL writes it: one column of {@code width} bytes, null = NULL. */
    private static byte[] copy(int width, Long... values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write("PGCOPY\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.write(new byte[] {(byte) 0xff, '\r', '\n', 0});
        out.writeInt(0); // flags
        out.writeInt(0); // header extension length
        for (Long v : values) {
            out.writeShort(1);
            if (v == null) {
                out.writeInt(-1);
                continue;
            }
            out.writeInt(width);
            switch (width) {
                case 2 -> out.writeShort(v.shortValue());
                case 4 -> out.writeInt(v.intValue());
                default -> out.writeLong(v);
            }
        }
        out.writeShort(-1);
        return bytes.toByteArray();
    }

    /** Hands out one byte per read: every value and header field straddles a refill. */
    private static InputStream trickle(byte[] data) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
    }

    @Test
    void readsSmallintIntegerAndBigintKeysSortedWithNullsCounted() throws Exception {
        BinaryKeyReader.Keys k2 = BinaryKeyReader.read(new ByteArrayInputStream(copy(2, 5L, -32768L, null, 32767L, 5L)),
                2, 0, 100);
        assertArrayEquals(new long[] {-32768, 5, 5, 32767}, k2.sorted());
        assertEquals(1, k2.nulls());
        assertEquals(5, k2.rows());

        BinaryKeyReader.Keys k4 = BinaryKeyReader.read(trickle(copy(4, (long) Integer.MAX_VALUE, null, null,
                (long) Integer.MIN_VALUE, -1L)), 4, 2, 100);
        assertArrayEquals(new long[] {Integer.MIN_VALUE, -1, Integer.MAX_VALUE}, k4.sorted());
        assertEquals(2, k4.nulls());
        assertEquals(5, k4.rows());

        BinaryKeyReader.Keys k8 = BinaryKeyReader.read(trickle(copy(8, Long.MAX_VALUE, Long.MIN_VALUE, 0L)), 8, 3, 100);
        assertArrayEquals(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}, k8.sorted());
        assertEquals(0, k8.nulls());

        BinaryKeyReader.Keys empty = BinaryKeyReader.read(new ByteArrayInputStream(copy(8)), 8, 0, 100);
        assertArrayEquals(new long[0], empty.sorted());
        assertEquals(0, empty.rows());
    }

    @Test
    void manyKeysGrowTheArrayAcrossBufferRefills() throws Exception {
        Long[] values = new Long[200_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) (values.length - i) * 3;
        }
        BinaryKeyReader.Keys k = BinaryKeyReader.read(new ByteArrayInputStream(copy(8, values)), 8, 10, 1_000_000);
        assertEquals(200_000, k.sorted().length);
        assertEquals(3, k.sorted()[0]);
        assertEquals(600_000, k.sorted()[199_999]);
    }

    @Test
    void headerExtensionIsSkipped() throws Exception {
        byte[] plain = copy(4, 7L);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(plain, 0, 15); // signature + flags
        b.write(new byte[] {0, 0, 0, 3, 'x', 'y', 'z'}); // extension of 3 bytes
        b.write(plain, 19, plain.length - 19);
        assertArrayEquals(new long[] {7}, BinaryKeyReader.read(trickle(b.toByteArray()), 4, 1, 10).sorted());
    }

    @Test
    void overTheCapTheKeysAreGivenUpButTheRowsStillRead() throws Exception {
        BinaryKeyReader.Keys k = BinaryKeyReader.read(new ByteArrayInputStream(copy(4, 1L, 2L, null, 3L)), 4, 0, 3);
        assertNull(k.sorted());
        assertEquals(4, k.rows());
        assertEquals(1, k.nulls());
        // NULLs count against the cap: they are rows the server sends, as LIMIT counts them
        assertNull(BinaryKeyReader.read(new ByteArrayInputStream(copy(4, null, null, 1L)), 4, 0, 2).sorted());
        assertArrayEquals(new long[] {1, 2, 3}, BinaryKeyReader.read(new ByteArrayInputStream(copy(4, 3L, 2L, 1L)), 4, 0, 3)
                .sorted());
    }

    @Test
    void anythingButOneIntegerColumnIsAnError() throws Exception {
        byte[] good = copy(4, 1L, 2L);
        byte[] badSignature = good.clone();
        badSignature[0] = 'X';
        assertThrows(IOException.class, () -> BinaryKeyReader.read(new ByteArrayInputStream(badSignature), 4, 0, 10));
        byte[] oids = good.clone();
        oids[12] = 1; // flag bit 16 (critical): OIDs follow
        assertThrows(IOException.class, () -> BinaryKeyReader.read(new ByteArrayInputStream(oids), 4, 0, 10));
        byte[] lowFlag = good.clone();
        lowFlag[13] = 1; // flag bit 8: the low 16 bits are not critical, a reader ignores them
        assertArrayEquals(new long[] {1, 2}, BinaryKeyReader.read(new ByteArrayInputStream(lowFlag), 4, 0, 10).sorted());
        // the value width must be the column's
        assertThrows(IOException.class, () -> BinaryKeyReader.read(new ByteArrayInputStream(good), 8, 0, 10));
        assertThrows(IOException.class, () -> BinaryKeyReader.read(new ByteArrayInputStream(copy(8, 1L)), 4, 0, 10));
        // two fields in a tuple
        byte[] twoFields = good.clone();
        twoFields[20] = 2;
        assertThrows(IOException.class, () -> BinaryKeyReader.read(new ByteArrayInputStream(twoFields), 4, 0, 10));
        // truncated before the trailer, and bytes after it
        byte[] truncated = Arrays.copyOf(good, good.length - 2);
        assertThrows(EOFException.class, () -> BinaryKeyReader.read(trickle(truncated), 4, 0, 10));
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThrows(IOException.class, () -> BinaryKeyReader.read(new ByteArrayInputStream(trailing), 4, 0, 10));
        assertThrows(IOException.class, () -> BinaryKeyReader.read(trickle(trailing), 4, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> BinaryKeyReader.read(new ByteArrayInputStream(good), 3, 0, 10));
    }

    @Test
    void mergeCountsLikeTheFullJoin() {
        // recovered 1..6; live lost 3 and 4, has 2 twice, 5 three times, extra 0, 9, 9 and two NULL keys
        long[] recovered = {1, 2, 3, 4, 5, 6};
        long[] live = {0, 1, 2, 2, 5, 5, 5, 6, 9, 9};
        assertEquals(new TableComparison.Counts(12, 6, 2, 5, -1), KeyCounts.merge(live, 2, recovered));
        // nothing live: every recovered key is missing
        assertEquals(new TableComparison.Counts(0, 6, 6, 0, -1), KeyCounts.merge(new long[0], 0, recovered));
        // only NULL keys live
        assertEquals(new TableComparison.Counts(3, 6, 6, 3, -1), KeyCounts.merge(new long[0], 3, recovered));
        // nothing recovered: every live row is extra
        assertEquals(new TableComparison.Counts(11, 0, 0, 11, -1), KeyCounts.merge(live, 1, new long[0]));
        // identical
        assertEquals(new TableComparison.Counts(6, 6, 0, 0, -1), KeyCounts.merge(recovered.clone(), 0, recovered));
        // extremes and signs: order is signed
        long[] ends = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE};
        assertEquals(new TableComparison.Counts(3, 4, 2, 1, -1),
                KeyCounts.merge(new long[] {Long.MIN_VALUE, 1, Long.MAX_VALUE}, 0, ends));
    }

    /** The missing keys' digest is the exact (not wrapped) sum of their hashint8extended(key, 0). */
    @Test
    void mergeDigestsExactlyTheMissingKeys() {
        long[] recovered = {1, 2, 3, 4, 5, 6};
        long[] live = {0, 1, 2, 2, 5, 5, 5, 6, 9, 9};
        assertEquals(java.math.BigInteger.valueOf(PgHash.hashInt8(3, 0)).add(java.math.BigInteger.valueOf(
                PgHash.hashInt8(4, 0))), KeyCounts.mergeWithDigest(live, 2, recovered).missingDigest());
        assertEquals(java.math.BigInteger.ZERO, KeyCounts.mergeWithDigest(recovered.clone(), 0, recovered).missingDigest());
        // 200,000 missing keys: a sum far outside 64 bits either way, compared with BigInteger arithmetic
        long[] many = new long[200_000];
        java.math.BigInteger sum = java.math.BigInteger.ZERO;
        for (int i = 0; i < many.length; i++) {
            many[i] = Long.MIN_VALUE + 1_000_003L * i;
            sum = sum.add(java.math.BigInteger.valueOf(PgHash.hashInt8(many[i], 0)));
        }
        assertEquals(sum, KeyCounts.mergeWithDigest(new long[0], 0, many).missingDigest());
        assertEquals(200_000, KeyCounts.mergeWithDigest(new long[0], 0, many).counts().missing());
    }

    @Test
    void mergeRefusesRecoveredKeysThatAreNotUnique() {
        assertThrows(IllegalArgumentException.class, () -> KeyCounts.merge(new long[] {1}, 0, new long[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> KeyCounts.merge(new long[] {1}, 0, new long[] {2, 1}));
    }

    @Test
    void widthsOnlyForTheThreeIntegerTypes() {
        assertEquals(2, KeyCounts.width("smallint"));
        assertEquals(4, KeyCounts.width("integer"));
        assertEquals(8, KeyCounts.width("bigint"));
        assertEquals(0, KeyCounts.width("numeric"));
        assertEquals(0, KeyCounts.width("oid"));
        assertEquals(0, KeyCounts.width("\"integer\""));
    }

    private static final List<ColumnSpec> COLUMNS = List.of(ColumnSpec.of("v", "text", ValueEncoding.TEXT, true),
            ColumnSpec.of("id", "integer", ValueEncoding.INT32, false));

    @Test
    void collectorOnlyForOneIntegerKeyColumn() {
        List<ColumnSpec> cols = List.of(ColumnSpec.of("a", "smallint", ValueEncoding.INT16, false),
                ColumnSpec.of("b", "bigint", ValueEncoding.INT64, false),
                ColumnSpec.of("c", "numeric", ValueEncoding.NUMERIC_TEXT, false),
                ColumnSpec.of("d", "text", ValueEncoding.TEXT, false));
        assertTrue(KeyCollector.forKey(cols, List.of("a"), null) != null);
        assertTrue(KeyCollector.forKey(cols, List.of("b"), 10L) != null);
        assertNull(KeyCollector.forKey(cols, List.of("c"), null));
        assertNull(KeyCollector.forKey(cols, List.of("d"), null));
        assertNull(KeyCollector.forKey(cols, List.of("a", "b"), null));
        assertNull(KeyCollector.forKey(cols, List.of(), null));
        assertNull(KeyCollector.forKey(cols, List.of("zz"), null));
    }

    @Test
    void collectorSortsShortIntegerAndLongKeys() {
        KeyCollector k = KeyCollector.forKey(COLUMNS, List.of("id"), 2L);
        k.add(new Object[] {"a", 30});
        k.add(new Object[] {"b", (short) -4});
        k.add(new Object[] {null, 7L});
        k.add(new Object[] {"c", Integer.MIN_VALUE});
        assertArrayEquals(new long[] {Integer.MIN_VALUE, -4, 7, 30}, k.sorted());
        assertThrows(IllegalStateException.class, k::sorted); // handed over once, never an empty set afterwards
    }

    @Test
    void collectorGivesUpOnANullKeyOrOverItsLimit() {
        KeyCollector nulls = KeyCollector.forKey(COLUMNS, List.of("id"), null);
        nulls.add(new Object[] {"a", 1});
        nulls.add(new Object[] {"b", null});
        nulls.add(new Object[] {"c", 2});
        assertNull(nulls.sorted());

        KeyCollector.setLimitForTests(3);
        try {
            KeyCollector atLimit = KeyCollector.forKey(COLUMNS, List.of("id"), 1_000_000L);
            KeyCollector overLimit = KeyCollector.forKey(COLUMNS, List.of("id"), null);
            for (int i = 0; i < 3; i++) {
                atLimit.add(new Object[] {"x", i});
                overLimit.add(new Object[] {"x", i});
            }
            overLimit.add(new Object[] {"x", 3});
            assertArrayEquals(new long[] {0, 1, 2}, atLimit.sorted());
            assertNull(overLimit.sorted());
        } finally {
            KeyCollector.setLimitForTests(-1);
        }
        assertEquals(Runtime.getRuntime().maxMemory() / 64, KeyCollector.limit());
    }

    @Test
    void cappedLongsAreSortedWhetherTheyCameInOrderOrNot() {
        long[][] inputs = {{1, 2, 2, 5}, {5, 2, 2, 1}, {1, 3, 2, 4}, {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, {7}, {}};
        for (long[] in : inputs) {
            CappedLongs l = new CappedLongs(in.length, 10);
            for (long v : in) {
                assertTrue(l.add(v));
            }
            long[] want = in.clone();
            java.util.Arrays.sort(want);
            assertArrayEquals(want, l.sorted(), java.util.Arrays.toString(in));
        }
    }

    @Test
    void cappedLongsGrowFromASmallHint() {
        CappedLongs l = new CappedLongs(0, 100_000);
        for (int i = 0; i < 100_000; i++) {
            assertTrue(l.add(100_000 - i));
        }
        assertEquals(100_000, l.size());
        assertTrue(!l.add(0) && l.over());
        assertNull(l.sorted());
    }
}
