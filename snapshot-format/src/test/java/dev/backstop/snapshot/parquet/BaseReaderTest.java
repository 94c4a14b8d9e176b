package dev.backstop.snapshot.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FileKind;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.ValueEncoding;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The direct base reader gives exactly the rows snapshot-format's RowFileReader gives, for every encoding. */
class BaseReaderTest {
    static final List<ColumnSpec> ALL = List.of(
            ColumnSpec.of("i2", "smallint", ValueEncoding.INT16, true),
            ColumnSpec.of("i4", "integer", ValueEncoding.INT32, true),
            ColumnSpec.of("i8", "bigint", ValueEncoding.INT64, false),
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

    @TempDir
    Path dir;

    private static Object[] randomRow(Random r, long id) {
        boolean n = r.nextInt(4) == 0;
        return new Object[] {n ? null : r.nextInt(65536) - 32768, n ? null : r.nextInt(), id,
                n ? null : BigDecimal.valueOf(r.nextInt(2_000_000) - 1_000_000, 2), n ? null : "NaN",
                n ? null : r.nextFloat() - 0.5f, n ? null : (r.nextBoolean() ? Double.NEGATIVE_INFINITY : r.nextGaussian()),
                n ? null : r.nextBoolean(), n ? null : "t\t\"" + r.nextInt() + " Zoë 🍕",
                n ? null : Bytes.copyOf(new byte[] {0, (byte) r.nextInt(), 0x5c}), n ? null : new UUID(r.nextLong(), r.nextLong()),
                n ? null : LocalDate.ofEpochDay(r.nextInt(2_000_000) - 1_000_000),
                n ? null : LocalTime.ofNanoOfDay((r.nextLong() & Long.MAX_VALUE) % 86_400_000_000L * 1000L),
                n ? null : LocalDateTime.of(2026, 1, 1, 0, 0).plusNanos(r.nextInt(1_000_000_000) * 1000L),
                n ? null : Instant.ofEpochSecond(r.nextInt(), r.nextInt(1_000_000) * 1000L), n ? null : "{a,\"b c\",NULL}"};
    }

    @Test
    void sameRowsAsRowFileReader() throws Exception {
        Path f = dir.resolve("base.parquet");
        Random r = new Random(3);
        try (RowFileWriter w = RowFileWriter.base(f, ALL)) {
            for (long id = 0; id < 3000; id++) {
                w.writeRow(randomRow(r, id));
            }
        }
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, "rp", new TableRef("db", "public", "t"), ALL, List.of("i8"), null,
                "base", Lsn.of(1), Lsn.of(1), null, null,
                List.of(new ManifestFile("b1", FileKind.BASE, null, null, null, Lsn.of(1), Lsn.of(1), null),
                        new ManifestFile("b2", FileKind.BASE, null, null, null, Lsn.of(1), Lsn.of(1), null)),
                null, null);
        int n = 0;
        try (RowFileReader ref = RowFileReader.open(f, ALL);
             StreamingReplay.BaseRows rows = BaseReader.sourceOf(m, file -> f).open()) {
            for (int pass = 0; pass < 2; pass++) { // the two listed base files are the same file: read twice, in order
                try (RowFileReader again = pass == 0 ? ref : RowFileReader.open(f, ALL)) {
                    for (Object[] want = again.nextRow(); want != null; want = again.nextRow()) {
                        assertArrayEquals(want, rows.next(), "row " + n);
                        n++;
                    }
                }
            }
            assertNull(rows.next());
        }
        assertEquals(6000, n);
    }

    private static Manifest oneBase(List<String> primaryKey) {
        return new Manifest(Manifest.FORMAT_VERSION, "rp", new TableRef("db", "public", "t"), ALL, primaryKey, null,
                "base", Lsn.of(1), Lsn.of(1), null, null,
                List.of(new ManifestFile("b1", FileKind.BASE, null, null, null, Lsn.of(1), Lsn.of(1), null)), null, null);
    }

    /**
     * With raw text, every text-encoded column outside the key (numeric text, text, array text) comes as the stored
     * UTF-8 bytes, the rest as before; dictionary entries are decoded once and shared by the rows that use them.
     */
    @Test
    void rawTextGivesTheStoredUtf8OutsideTheKeyAndSharesDictionaryEntries() throws Exception {
        Path f = dir.resolve("raw.parquet");
        Random r = new Random(5);
        try (RowFileWriter w = RowFileWriter.base(f, ALL)) {
            for (long id = 0; id < 2000; id++) {
                w.writeRow(randomRow(r, id));
            }
        }
        List<Integer> textColumns = List.of(4, 8, 15);
        int n = 0;
        Object firstArray = null;
        try (RowFileReader ref = RowFileReader.open(f, ALL);
             StreamingReplay.BaseRows rows = BaseReader.sourceOf(oneBase(List.of("i8")), file -> f, true).open()) {
            for (Object[] want = ref.nextRow(); want != null; want = ref.nextRow(), n++) {
                Object[] got = rows.next();
                for (int i = 0; i < ALL.size(); i++) {
                    if (want[i] != null && textColumns.contains(i)) {
                        Utf8Text t = assertInstanceOf(Utf8Text.class, got[i], "row " + n + " column " + i);
                        assertArrayEquals(((String) want[i]).getBytes(StandardCharsets.UTF_8), t.bytes());
                        assertEquals(want[i], t.toString());
                    } else {
                        assertEquals(want[i], got[i], "row " + n + " column " + i);
                    }
                }
                if (got[15] != null) {
                    if (firstArray == null) {
                        firstArray = got[15];
                    }
                    assertSame(firstArray, got[15], "one dictionary entry, one value: row " + n);
                }
            }
            assertNull(rows.next());
        }
        assertEquals(2000, n);
    }

    /** Rows spread over many row groups (and pages) come out whole and in order: each group gets fresh column readers. */
    @Test
    void manyRowGroupsReadInOrder() throws Exception {
        Path f = dir.resolve("groups.parquet");
        org.apache.parquet.schema.MessageType schema = ParquetSchemas.base(ALL);
        Random r = new Random(9);
        try (var w = org.apache.parquet.hadoop.example.ExampleParquetWriter.builder(new org.apache.parquet.io.LocalOutputFile(f))
                .withConf(ParquetFiles.configuration()).withType(schema)
                .withCompressionCodec(org.apache.parquet.hadoop.metadata.CompressionCodecName.SNAPPY)
                .withRowGroupSize(64L * 1024).withPageSize(4 * 1024).withDictionaryEncoding(true).build()) {
            for (long id = 0; id < 20_000; id++) {
                Object[] row = randomRow(r, id);
                var g = new org.apache.parquet.example.data.simple.SimpleGroup(schema);
                for (int i = 0; i < ALL.size(); i++) {
                    ValueCodec.write(g, i, ALL.get(i), row[i]);
                }
                w.write(g);
            }
        }
        try (var footer = org.apache.parquet.hadoop.ParquetFileReader.open(new org.apache.parquet.io.LocalInputFile(f))) {
            assertTrue(footer.getRowGroups().size() > 3, "row groups: " + footer.getRowGroups().size());
        }
        int n = 0;
        try (RowFileReader ref = RowFileReader.open(f, ALL);
             StreamingReplay.BaseRows rows = BaseReader.sourceOf(oneBase(List.of("i8")), file -> f).open()) {
            for (Object[] want = ref.nextRow(); want != null; want = ref.nextRow(), n++) {
                assertArrayEquals(want, rows.next(), "row " + n);
            }
            assertNull(rows.next());
        }
        assertEquals(20_000, n);
    }

    /** A table without a primary key is replayed by whole rows: its text stays String even when raw text is asked. */
    @Test
    void rawTextKeepsStringsForATableWithoutKey() throws Exception {
        Path f = dir.resolve("nokey.parquet");
        try (RowFileWriter w = RowFileWriter.base(f, ALL)) {
            w.writeRow(randomRow(new Random(7), 1));
        }
        try (StreamingReplay.BaseRows rows = BaseReader.sourceOf(oneBase(List.of()), file -> f, true).open()) {
            Object[] row = rows.next();
            assertInstanceOf(String.class, row[8]);
            assertInstanceOf(String.class, row[15]);
        }
        // The key column itself is never raw (keys are matched against the changes' Strings).
        List<ColumnSpec> textKey = List.of(ColumnSpec.of("k", "text", ValueEncoding.TEXT, false),
                ColumnSpec.of("v", "text", ValueEncoding.TEXT, true));
        Path g = dir.resolve("textkey.parquet");
        try (RowFileWriter w = RowFileWriter.base(g, textKey)) {
            w.writeRow(new Object[] {"a", "b"});
        }
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, "rp", new TableRef("db", "public", "t"), textKey, List.of("k"),
                null, "base", Lsn.of(1), Lsn.of(1), null, null,
                List.of(new ManifestFile("b1", FileKind.BASE, null, null, null, Lsn.of(1), Lsn.of(1), null)), null, null);
        try (StreamingReplay.BaseRows rows = BaseReader.sourceOf(m, file -> g, true).open()) {
            Object[] row = rows.next();
            assertEquals("a", row[0]);
            assertEquals(Utf8Text.wrap("b".getBytes(StandardCharsets.UTF_8)), row[1]);
        }
    }

    @Test
    void aFileWithOtherColumnsIsRefused() throws Exception {
        Path f = dir.resolve("other.parquet");
        try (RowFileWriter w = RowFileWriter.base(f, ALL.subList(0, 3))) {
            w.writeRow(new Object[] {1, 2, 3L});
        }
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, "rp", new TableRef("db", "public", "t"), ALL, List.of("i8"), null,
                "base", Lsn.of(1), Lsn.of(1), null, null,
                List.of(new ManifestFile("b1", FileKind.BASE, null, null, null, Lsn.of(1), Lsn.of(1), null)), null, null);
        assertThrows(FormatException.class, () -> {
            try (StreamingReplay.BaseRows rows = BaseReader.sourceOf(m, file -> f).open()) {
                rows.next();
            }
        });
    }
}
