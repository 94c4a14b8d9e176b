package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.ValueEncoding;
import dev.backstop.snapshot.parquet.Bytes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Binary COPY encodings, the array literal parser, and the fingerprint's record text. */
class CopyEncodingTest {

    private static String hex(ByteBuf b) {
        return HexFormat.of().formatHex(b.toByteArray());
    }

    @Test
    void numericBinaryFormat() {
        ByteBuf b = new ByteBuf(16);
        CopyBinary.numeric(b, new BigDecimal("12345.60"));
        // 16 bytes: ndigits 3, weight 1, sign +, dscale 2, digits 1 2345 6000
        assertEquals("0000000e" + "0003" + "0001" + "0000" + "0002" + "0001" + "0929" + "1770", hex(b));
        b.clear();
        CopyBinary.numeric(b, new BigDecimal("-0.0005"));
        assertEquals("0000000a" + "0001" + "ffff" + "4000" + "0004" + "0005", hex(b));
        b.clear();
        CopyBinary.numeric(b, new BigDecimal("0.00"));
        assertEquals("00000008" + "0000" + "0000" + "0000" + "0002", hex(b));
        b.clear();
        CopyBinary.numericText(b, "NaN");
        assertEquals("00000008" + "0000" + "0000" + "c000" + "0000", hex(b));
        b.clear();
        CopyBinary.numericText(b, "-Infinity");
        assertEquals("00000008" + "0000" + "0000" + "f000" + "0000", hex(b));
    }

    @Test
    void numericFastPathEqualsTheGeneralOne() {
        Random rnd = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            long unscaled = rnd.nextInt(4) == 0 ? rnd.nextInt(100) - 50 : rnd.nextLong() >> rnd.nextInt(12);
            int scale = rnd.nextInt(12);
            BigDecimal d = new BigDecimal(BigInteger.valueOf(unscaled), scale);
            if (d.unscaledValue().bitLength() >= 53) {
                continue;
            }
            ByteBuf fast = new ByteBuf(32);
            ByteBuf general = new ByteBuf(32);
            CopyBinary.numericSmall(fast, unscaled, scale);
            CopyBinary.numericGeneral(general, d);
            assertEquals(hex(general), hex(fast), d.toPlainString());
        }
    }

    @Test
    void arrayLiteralsAsPostgresqlPrintsThem() {
        PgArrayText a = PgArrayText.parse("{a,NULL,\"x,y \\\"z\\\" \\\\ w\",\"NULL\",\"\"}");
        assertArrayEquals(new int[] {5}, a.dims);
        assertEquals(Arrays.asList("a", null, "x,y \"z\" \\ w", "NULL", ""), a.elements);
        PgArrayText m = PgArrayText.parse("[0:1][2:3]={{1,2},{3,NULL}}");
        assertArrayEquals(new int[] {2, 2}, m.dims);
        assertArrayEquals(new int[] {0, 2}, m.lowerBounds);
        assertEquals(Arrays.asList("1", "2", "3", null), m.elements);
        PgArrayText e = PgArrayText.parse("{}");
        assertEquals(0, e.dims.length);
        assertThrows(IllegalArgumentException.class, () -> PgArrayText.parse("{{1},{2,3}}"));
        assertThrows(IllegalArgumentException.class, () -> PgArrayText.parse("{1,2"));
        assertThrows(IllegalArgumentException.class, () -> PgArrayText.parse("{1,}"));
    }

    @Test
    void arrayBinaryFormat() {
        ByteBuf b = new ByteBuf(64);
        PgArrayText.parse("{ab,NULL}").write(b, CopyBinary.TEXT, (o, t) -> {
            o.putInt(t.length()).put(t.getBytes(StandardCharsets.UTF_8));
        });
        assertEquals("0000001e" + "00000001" + "00000001" + "00000019" + "00000002" + "00000001"
                + "00000002" + "6162" + "ffffffff", hex(b));
    }

    @Test
    void binaryHeaderAndTrailer() {
        assertEquals("5047434f50590aff0d0a00" + "00000000" + "00000000", HexFormat.of().formatHex(CopyBinary.HEADER));
        assertEquals("ffff", HexFormat.of().formatHex(CopyBinary.TRAILER));
    }

    @Test
    void textRowsThroughTheByteBufferEqualTheStringForm() {
        Object[] row = {1L, null, "a\tb\nc\rd\\e Zoë 🍕", Bytes.copyOf(new byte[] {0, 0x5c, (byte) 0xff}), true,
                new BigDecimal("12.50"), 1.0E10, Float.NaN, LocalDate.of(-43, 3, 15), Instant.parse("2026-11-26T10:15:00Z")};
        StringBuilder s = new StringBuilder();
        CopyText.appendRow(s, row);
        ByteBuf b = new ByteBuf(8);
        CopyText.appendRow(b, row);
        assertEquals(s.toString(), new String(b.toByteArray(), StandardCharsets.UTF_8));
    }

    private static final List<ColumnSpec> ALL = List.of(
            ColumnSpec.of("i2", "smallint", ValueEncoding.INT16, true),
            ColumnSpec.of("i4", "integer", ValueEncoding.INT32, true),
            ColumnSpec.of("i8", "bigint", ValueEncoding.INT64, true),
            ColumnSpec.decimal("d", "numeric(12,2)", 12, 2, true),
            ColumnSpec.of("nt", "numeric", ValueEncoding.NUMERIC_TEXT, true),
            ColumnSpec.of("f4", "real", ValueEncoding.FLOAT32, true),
            ColumnSpec.of("f8", "double precision", ValueEncoding.FLOAT64, true),
            ColumnSpec.of("b", "boolean", ValueEncoding.BOOL, true),
            ColumnSpec.of("t", "text", ValueEncoding.TEXT, true),
            ColumnSpec.of("by", "bytea", ValueEncoding.BYTES, true),
            ColumnSpec.of("u", "uuid", ValueEncoding.UUID, true),
            ColumnSpec.of("dt", "date", ValueEncoding.DATE, true),
            ColumnSpec.of("tm", "time without time zone", ValueEncoding.TIME, true),
            ColumnSpec.of("ts", "timestamp without time zone", ValueEncoding.TIMESTAMP, true),
            ColumnSpec.of("tz", "timestamp with time zone", ValueEncoding.TIMESTAMPTZ, true),
            ColumnSpec.of("p", "text[]", ValueEncoding.PG_TEXT, true));

    @Test
    void fingerprintRecordTextIsPostgresqlsRecordOutputOfTheCanonicalValues() {
        Fingerprint fp = new Fingerprint(ALL);
        Object[] row = {(int) -3, 7, 9_000_000_000L, new BigDecimal("-1.50"), "NaN", -0.0f, 1.5, true, "a \"q\" \\ (b),",
                Bytes.copyOf(new byte[] {1, (byte) 0xab}), UUID.fromString("00000000-0000-0000-0000-00000000000f"),
                LocalDate.of(1969, 12, 31), LocalTime.of(0, 0, 1), LocalDateTime.of(1970, 1, 1, 0, 0, 0, 1000),
                Instant.parse("1970-01-01T00:00:02Z"), "{a,\"b c\"}"};
        assertEquals("(-3,7,9000000000,-1.50,NaN,\"\\\\x80000000\",\"\\\\x3ff8000000000000\",t,"
                + "\"a \"\"q\"\" \\\\ (b),\",\"\\\\x01ab\",00000000-0000-0000-0000-00000000000f,-1,1000000,1,2000000,"
                + "\"{a,\"\"b c\"\"}\")", fp.rowTextString(row));
        Object[] empty = new Object[ALL.size()];
        empty[8] = "";
        assertEquals("(,,,,,,,,\"\",,,,,,,)", fp.rowTextString(empty));
    }

    @Test
    void fingerprintFastTextEqualsTheReferenceQuoting() {
        Fingerprint fp = new Fingerprint(ALL.subList(8, 9));
        for (String s : List.of("plain", "", "sp ace", "tab\t", "q\"", "b\\s", "(", ")", ",", "émoji 🍕", "v\u000B",
                "f\f", "cr\r", "nl\n")) {
            StringBuilder ref = new StringBuilder("(");
            Fingerprint.quote(ref, s);
            ref.append(')');
            assertEquals(ref.toString(), fp.rowTextString(new Object[] {s}), s);
        }
    }

    @Test
    void fingerprintSumIsOrderIndependentAndSeesDuplicates() {
        Fingerprint a = new Fingerprint(ALL.subList(2, 3));
        Fingerprint b = new Fingerprint(ALL.subList(2, 3));
        a.add(new Object[] {1L});
        a.add(new Object[] {2L});
        b.add(new Object[] {2L});
        b.add(new Object[] {1L});
        assertEquals(a.value(), b.value());
        b.add(new Object[] {1L});
        assertEquals(3, b.value().rows());
        Fingerprint.Value one = new Fingerprint.Value(1, "18446744073709551615");
        assertEquals(new Fingerprint.Value(2, "18446744073709551614"), one.plus(one));
    }
}
