package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.ValueEncoding;
import dev.backstop.snapshot.parquet.Bytes;
import dev.backstop.snapshot.parquet.Utf8Text;
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
            assertNumericPathsAgree(unscaled, scale);
        }
        // Where a base-10000 digit starts or ends, and the largest magnitude the fast path takes.
        long max = (1L << 53) - 1;
        for (long unscaled : new long[] {0, 1, 9_999, 10_000, 10_001, 99_990_000, 100_000_000, 10_000_000_000_000_000L / 1000,
                max, -max, -10_000}) {
            for (int scale = 0; scale < 12; scale++) {
                assertNumericPathsAgree(unscaled, scale);
            }
        }
    }

    private static void assertNumericPathsAgree(long unscaled, int scale) {
        BigDecimal d = new BigDecimal(BigInteger.valueOf(unscaled), scale);
        ByteBuf fast = new ByteBuf(32);
        ByteBuf general = new ByteBuf(32);
        CopyBinary.numericSmall(fast, unscaled, scale);
        CopyBinary.numericGeneral(general, d);
        assertEquals(hex(general), hex(fast), d.toPlainString());
    }

    @Test
    void arrayLiteralsAsPostgresqlPrintsThem() {
        PgArrayText a = new PgArrayText().parse("{a,NULL,\"x,y \\\"z\\\" \\\\ w\",\"NULL\",\"\",null,\"Zoë 🍕\"}");
        assertEquals(1, a.dims());
        assertEquals(7, a.size(0));
        assertEquals(1, a.lowerBound(0));
        assertEquals(Arrays.asList("a", null, "x,y \"z\" \\ w", "NULL", "", null, "Zoë 🍕"), a.elements());
        PgArrayText m = new PgArrayText().parse("[0:1][-2:-1]={{1,2},{3,NULL}}");
        assertEquals(2, m.dims());
        assertEquals(List.of(2, 2, 0, -2), List.of(m.size(0), m.size(1), m.lowerBound(0), m.lowerBound(1)));
        assertEquals(Arrays.asList("1", "2", "3", null), m.elements());
        // One instance parses value after value: nothing of the previous one is left.
        PgArrayText reused = new PgArrayText();
        reused.parse("[0:0][5:5]={{x}}");
        assertEquals(0, reused.parse("{}").dims());
        assertEquals(List.of(), reused.elements());
        assertEquals(List.of("b"), reused.parse("{b}").elements());
        assertEquals(1, reused.lowerBound(0));
        for (String bad : List.of("{{1},{2,3}}", "{1,2", "{1,}", "{1}x", "[1:2]{1,2}", "[1:2]={1,2,3}", "[a:2]={1,2}",
                "{{{{{{{1}}}}}}}", "{\"a}", "")) {
            assertThrows(IllegalArgumentException.class, () -> new PgArrayText().parse(bad), bad);
        }
    }

    @Test
    void arrayBinaryFormat() {
        ByteBuf b = new ByteBuf(64);
        new PgArrayText().parse("{ab,NULL}").write(b, CopyBinary.TEXT, (o, t) -> {
            o.putInt(t.length()).put(t.getBytes(StandardCharsets.UTF_8));
        });
        assertEquals("0000001e" + "00000001" + "00000001" + "00000019" + "00000002" + "00000001"
                + "00000002" + "6162" + "ffffffff", hex(b));
    }

    @Test
    void textElementsAreCopiedFromTheLiteralAsTheStringWriterWritesThem() {
        String literal = "[2:4]={\"a\\\\b \\\"q\\\"\",Zoë,\"🍕 x\"}";
        for (CopyBinary.TextElement kind : List.of(new CopyBinary.TextElement(new byte[0]),
                new CopyBinary.TextElement(new byte[] {1}))) {
            ByteBuf copied = new ByteBuf(8);
            new PgArrayText().parse(literal).write(copied, CopyBinary.TEXT, kind);
            ByteBuf viaStrings = new ByteBuf(8);
            // The same elements through the general path: each one decoded to a String, then written by the writer.
            new PgArrayText().parse(literal).write(viaStrings, CopyBinary.TEXT, kind::write);
            assertEquals(hex(viaStrings), hex(copied));
            assertTrue(hex(copied).contains(HexFormat.of().formatHex("a\\b \"q\"".getBytes(StandardCharsets.UTF_8))));
        }
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
    void fingerprintHashesEachValueByItsKindWithTheColumnsSeed() {
        Fingerprint fp = new Fingerprint(ALL);
        assertEquals(PgHash.hashInt4(-3, 1), fp.hash(0, (int) -3));
        assertEquals(PgHash.hashInt8(9_000_000_000L, 3), fp.hash(2, 9_000_000_000L));
        assertEquals(fp.hash(3, new BigDecimal("-1.50")), textHash("-1.50", 4));
        assertEquals(PgHash.hashFloat8(-0.0, 6), fp.hash(5, -0.0f));
        assertEquals(6, fp.hash(5, -0.0f), "zero hashes as the seed, as hashfloat4extended does");
        assertEquals(PgHash.hashInt4(1, 8), fp.hash(7, true));
        assertEquals(textHash("a \"q\" \\ (b),", 9), fp.hash(8, "a \"q\" \\ (b),"));
        assertEquals(textHash("01ab", 10), fp.hash(9, Bytes.copyOf(new byte[] {1, (byte) 0xab})));
        assertEquals(PgHash.hashInt4(-1, 12), fp.hash(11, LocalDate.of(1969, 12, 31)));
        assertEquals(PgHash.hashInt8(1_000_000L, 13), fp.hash(12, LocalTime.of(0, 0, 1)));
        // timestamps: PostgreSQL's own int8, microseconds since 2000-01-01 (timestamp_hash_extended)
        assertEquals(PgHash.hashInt8(1L, 14), fp.hash(13, LocalDateTime.of(2000, 1, 1, 0, 0, 0, 1000)));
        assertEquals(PgHash.hashInt8(-946_684_798_000_000L, 15), fp.hash(14, Instant.parse("1970-01-01T00:00:02Z")));
    }

    @Test
    void fingerprintComparesBpcharWithoutTrailingBlanksAndOtherTextAsIs() {
        Fingerprint fp = new Fingerprint(List.of(ColumnSpec.of("c", "character(5)", ValueEncoding.TEXT, true),
                ColumnSpec.of("v", "character varying(5)", ValueEncoding.TEXT, true)));
        assertEquals(fp.hash(0, "ab"), fp.hash(0, "ab   "));
        assertEquals(textHash(" ab", 1), fp.hash(0, " ab  "));
        assertEquals(textHash("ab  ", 2), fp.hash(1, "ab  "));
        assertEquals(Fingerprint.Kind.BPCHAR, Fingerprint.kind(ColumnSpec.of("c", "bpchar", ValueEncoding.TEXT, true)));
        assertEquals(Fingerprint.Kind.TEXT, Fingerprint.kind(ColumnSpec.of("c", "text", ValueEncoding.TEXT, true)));
    }

    @Test
    void plainDecimalTextIsBigDecimalsPlainString() {
        Random r = new Random(11);
        long[] edges = {0, 1, -1, 9, 10, -10, 99, 100, Long.MAX_VALUE, Long.MIN_VALUE + 1, 999_999_999_999_999_999L};
        for (int scale = 0; scale <= 18; scale++) {
            for (int i = 0; i < 200 + edges.length; i++) {
                long u = i < edges.length ? edges[i] : (i % 2 == 0 ? r.nextLong() : r.nextInt(100_000) - 50_000);
                if (u == Long.MIN_VALUE) {
                    continue;
                }
                String want = BigDecimal.valueOf(u, scale).toPlainString();
                ByteBuf b = new ByteBuf(1);
                b.put('x').putPlainDecimal(u, scale);
                assertEquals("x" + want, new String(b.toByteArray(), StandardCharsets.US_ASCII), u + " scale " + scale);
            }
        }
        Fingerprint fp = new Fingerprint(List.of(ColumnSpec.decimal("d", "numeric(30,2)", 30, 2, true)));
        assertEquals(textHash("-0.05", 1), fp.hash(0, new BigDecimal("-0.05")));
        assertEquals(textHash("123456789012345678901234.50", 1), fp.hash(0, new BigDecimal("123456789012345678901234.50")));
    }

    private static Utf8Text utf8(String s) {
        return Utf8Text.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Text kept as the file's UTF-8 bytes hashes and encodes exactly as the same text as a String. */
    @Test
    void utf8TextIsHashedAndWrittenAsItsString() {
        List<ColumnSpec> columns = List.of(ColumnSpec.of("c", "character(5)", ValueEncoding.TEXT, true),
                ColumnSpec.of("t", "text", ValueEncoding.TEXT, true),
                ColumnSpec.of("nt", "numeric", ValueEncoding.NUMERIC_TEXT, true),
                ColumnSpec.of("j", "jsonb", ValueEncoding.PG_TEXT, true),
                ColumnSpec.of("js", "json", ValueEncoding.PG_TEXT, true),
                ColumnSpec.of("a", "text[]", ValueEncoding.PG_TEXT, true));
        Object[] strings = {"Zoë  ", "a\tb 🍕 ", "-12.50", "{\"k\": [1, \"é\"]}", "{\"b\":1,  \"b\": 2}", "{a,\"b c\",NULL}"};
        Object[] raw = new Object[strings.length];
        for (int i = 0; i < strings.length; i++) {
            raw[i] = utf8((String) strings[i]);
        }
        Fingerprint fp = new Fingerprint(columns);
        for (int i = 0; i < strings.length; i++) {
            assertEquals(fp.hash(i, strings[i]), fp.hash(i, raw[i]), "column " + columns.get(i).name());
        }
        assertEquals(fp.hash(0, "Zoë"), fp.hash(0, utf8("Zoë  ")), "bpchar's trailing blanks are stripped on the bytes");
        CopyBinary binary = CopyBinary.fromTypes(columns, List.of(new long[] {CopyBinary.BPCHAR, 0},
                new long[] {CopyBinary.TEXT, 0}, new long[] {CopyBinary.NUMERIC, 0}, new long[] {CopyBinary.JSONB, 0},
                new long[] {CopyBinary.JSON, 0}, new long[] {1009, CopyBinary.TEXT})).orElseThrow();
        ByteBuf fromStrings = new ByteBuf(8);
        binary.appendRow(fromStrings, strings);
        ByteBuf fromRaw = new ByteBuf(8);
        binary.appendRow(fromRaw, raw);
        assertEquals(hex(fromStrings), hex(fromRaw));
        StringBuilder text = new StringBuilder();
        CopyText.appendRow(text, strings);
        StringBuilder rawText = new StringBuilder();
        CopyText.appendRow(rawText, raw);
        assertEquals(text.toString(), rawText.toString());
    }

    private static long textHash(String s, long seed) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return PgHash.hashBytesExtended(b, 0, b.length, seed);
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
