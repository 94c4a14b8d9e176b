package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.ValueEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/** Every encoding written, read back by our reader and by DuckDB with the documented types. */
class AllTypesParquetTest {
    static final List<ColumnSpec> COLS = List.of(
            ColumnSpec.of("i16", "smallint", ValueEncoding.INT16, true),
            ColumnSpec.of("i32", "integer", ValueEncoding.INT32, true),
            ColumnSpec.of("i64", "bigint", ValueEncoding.INT64, true),
            ColumnSpec.decimal("dec", "numeric(38,20)", 38, 20, true),
            ColumnSpec.of("num", "numeric", ValueEncoding.NUMERIC_TEXT, true),
            ColumnSpec.of("f32", "real", ValueEncoding.FLOAT32, true),
            ColumnSpec.of("f64", "double precision", ValueEncoding.FLOAT64, true),
            ColumnSpec.of("b", "boolean", ValueEncoding.BOOL, true),
            ColumnSpec.of("t", "text", ValueEncoding.TEXT, true),
            ColumnSpec.of("bin", "bytea", ValueEncoding.BYTES, true),
            ColumnSpec.of("u", "uuid", ValueEncoding.UUID, true),
            ColumnSpec.of("d", "date", ValueEncoding.DATE, true),
            ColumnSpec.of("tm", "time without time zone", ValueEncoding.TIME, true),
            ColumnSpec.of("ts", "timestamp without time zone", ValueEncoding.TIMESTAMP, true),
            ColumnSpec.of("tz", "timestamp with time zone", ValueEncoding.TIMESTAMPTZ, true),
            ColumnSpec.of("iv", "interval", ValueEncoding.PG_TEXT, true));

    @TempDir
    Path dir;

    @Test
    void roundTripsThroughOurReaderAndDuckDb() throws Exception {
        Object[] row = {(int) Short.MIN_VALUE, Integer.MAX_VALUE, Long.MIN_VALUE,
                new BigDecimal("-123456789012345678.12345678901234567890"), "1e-1000 is not; 0.000000000000000000000001",
                Float.MIN_VALUE, -Double.MAX_VALUE, true, "héllo\u0000?".replace("\u0000", ""),
                Bytes.copyOf(new byte[]{0, 1, (byte) 0xFF}), UUID.fromString("123e4567-e89b-12d3-a456-426614174000"),
                LocalDate.of(1, 1, 1), LocalTime.of(23, 59, 59, 999_999_000),
                LocalDateTime.of(1999, 12, 31, 23, 59, 59, 123_456_000), Instant.parse("2026-11-26T10:15:30.654321Z"),
                "1 year 2 mons 3 days 04:05:06.7"};
        Object[] nulls = new Object[COLS.size()];
        Path f = dir.resolve("all.parquet");
        try (RowFileWriter w = RowFileWriter.base(f, COLS)) {
            w.writeRow(row);
            w.writeRow(nulls);
        }
        try (RowFileReader r = RowFileReader.open(f, COLS)) {
            assertArrayEquals(row, r.nextRow());
            assertArrayEquals(nulls, r.nextRow());
            assertNull(r.nextRow());
        }
        assertEquals(2, ParquetFiles.rowCount(f));

        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('"
                    + f + "'))")) {
                StringBuilder types = new StringBuilder();
                while (rs.next()) {
                    types.append(rs.getString(1)).append(' ').append(rs.getString(2)).append(';');
                }
                assertEquals("i16 SMALLINT;i32 INTEGER;i64 BIGINT;dec DECIMAL(38,20);num VARCHAR;f32 FLOAT;f64 DOUBLE;"
                        + "b BOOLEAN;t VARCHAR;bin BLOB;u UUID;d DATE;tm TIME;ts TIMESTAMP;tz TIMESTAMP WITH TIME ZONE;"
                        + "iv VARCHAR;", types.toString());
            }
            try (ResultSet rs = s.executeQuery("SELECT i16, i32, i64, dec::VARCHAR, num, f32, f64, b, t, bin, u::VARCHAR,"
                    + " d::VARCHAR, tm::VARCHAR, ts::VARCHAR, epoch_us(tz), iv FROM read_parquet('" + f + "') ORDER BY i16 NULLS LAST")) {
                assertTrue(rs.next());
                assertEquals(Short.MIN_VALUE, rs.getShort(1));
                assertEquals(Integer.MAX_VALUE, rs.getInt(2));
                assertEquals(Long.MIN_VALUE, rs.getLong(3));
                assertEquals("-123456789012345678.12345678901234567890", rs.getString(4));
                assertEquals(row[4], rs.getString(5));
                assertEquals(Float.MIN_VALUE, rs.getFloat(6));
                assertEquals(-Double.MAX_VALUE, rs.getDouble(7));
                assertTrue(rs.getBoolean(8));
                assertEquals(row[8], rs.getString(9));
                assertArrayEquals(new byte[]{0, 1, (byte) 0xFF}, rs.getBytes(10));
                assertEquals("123e4567-e89b-12d3-a456-426614174000", rs.getString(11));
                assertEquals("0001-01-01", rs.getString(12));
                assertEquals("23:59:59.999999", rs.getString(13));
                assertEquals("1999-12-31 23:59:59.123456", rs.getString(14));
                assertEquals(ValueCodec.micros(Instant.parse("2026-11-26T10:15:30.654321Z")), rs.getLong(15));
                assertEquals("1 year 2 mons 3 days 04:05:06.7", rs.getString(16));
                assertTrue(rs.next());
                for (int i = 1; i <= 16; i++) {
                    assertNull(rs.getObject(i), "column " + i);
                }
                assertFalse(rs.next());
            }
        }
        assertEquals(OffsetDateTime.class, OffsetDateTime.now().getClass());
    }
}
