package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.ColumnSpec;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The fast base writer (values already in Parquet form) produces files with the same schema as {@link RowFileWriter}
 * whose rows our reader and DuckDB read back as the same Java values.
 */
class BaseFileWriterTest {
    private static final List<ColumnSpec> COLS = AllTypesParquetTest.COLS;

    @TempDir
    Path dir;

    @Test
    void writesTheSameRowsAsTheGroupWriter() throws Exception {
        BigDecimal dec = new BigDecimal("-123456789012345678.12345678901234567890");
        UUID u = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        Object[] expected = {(int) Short.MIN_VALUE, Integer.MAX_VALUE, Long.MIN_VALUE, dec, "0.000001", Float.MIN_VALUE,
                -Double.MAX_VALUE, true, "héllo 中", Bytes.copyOf(new byte[]{0, 1, (byte) 0xFF}), u,
                LocalDate.of(1, 1, 1), LocalTime.of(23, 59, 59, 999_999_000),
                LocalDateTime.of(1999, 12, 31, 23, 59, 59, 123_456_000), Instant.parse("2026-11-26T10:15:30.654321Z"),
                "1 year 2 mons"};

        Path fast = dir.resolve("fast.parquet");
        try (BaseFileWriter w = BaseFileWriter.open(fast, COLS)) {
            BaseRow row = new BaseRow(COLS.size());
            row.setInt(0, Short.MIN_VALUE);
            row.setInt(1, Integer.MAX_VALUE);
            row.setLong(2, Long.MIN_VALUE);
            bytes(row, 3, dec.unscaledValue().toByteArray());
            bytes(row, 4, "0.000001".getBytes(StandardCharsets.UTF_8));
            row.setFloat(5, Float.MIN_VALUE);
            row.setDouble(6, -Double.MAX_VALUE);
            row.setBoolean(7, true);
            bytes(row, 8, "héllo 中".getBytes(StandardCharsets.UTF_8));
            bytes(row, 9, new byte[]{0, 1, (byte) 0xFF});
            bytes(row, 10, ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                    .putLong(u.getLeastSignificantBits()).array());
            row.setInt(11, (int) LocalDate.of(1, 1, 1).toEpochDay());
            row.setLong(12, LocalTime.of(23, 59, 59, 999_999_000).toNanoOfDay() / 1000);
            row.setLong(13, ValueCodec.micros(LocalDateTime.of(1999, 12, 31, 23, 59, 59, 123_456_000)
                    .toInstant(ZoneOffset.UTC)));
            row.setLong(14, ValueCodec.micros(Instant.parse("2026-11-26T10:15:30.654321Z")));
            bytes(row, 15, "1 year 2 mons".getBytes(StandardCharsets.UTF_8));
            w.write(row);
            // The same row object refilled: every column NULL.
            for (int i = 0; i < COLS.size(); i++) {
                row.setNull(i);
            }
            w.write(row);
            assertEquals(2, w.rows());
            assertThrows(IllegalArgumentException.class, () -> w.write(new BaseRow(3)));
        }
        try (RowFileReader r = RowFileReader.open(fast, COLS)) {
            assertArrayEquals(expected, r.nextRow());
            assertArrayEquals(new Object[COLS.size()], r.nextRow());
            assertNull(r.nextRow());
        }

        Path slow = dir.resolve("slow.parquet");
        try (RowFileWriter w = RowFileWriter.base(slow, COLS)) {
            w.writeRow(expected);
        }
        assertEquals(schema(slow), schema(fast));
        assertEquals(duckTypes(slow), duckTypes(fast));
        assertEquals("i16 SMALLINT;i32 INTEGER;i64 BIGINT;dec DECIMAL(38,20);num VARCHAR;f32 FLOAT;f64 DOUBLE;"
                + "b BOOLEAN;t VARCHAR;bin BLOB;u UUID;d DATE;tm TIME;ts TIMESTAMP;tz TIMESTAMP WITH TIME ZONE;"
                + "iv VARCHAR;", duckTypes(fast));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT dec::VARCHAR, t, u::VARCHAR, ts::VARCHAR, count(*) OVER ()"
                     + " FROM read_parquet('" + fast + "') WHERE i16 IS NOT NULL")) {
            rs.next();
            assertEquals("-123456789012345678.12345678901234567890", rs.getString(1));
            assertEquals("héllo 中", rs.getString(2));
            assertEquals("123e4567-e89b-12d3-a456-426614174000", rs.getString(3));
            assertEquals("1999-12-31 23:59:59.123456", rs.getString(4));
            assertEquals(1, rs.getLong(5));
        }
    }

    private static void bytes(BaseRow row, int column, byte[] b) {
        row.setBytes(column, b, 0, b.length);
    }

    private static MessageType schema(Path f) throws Exception {
        try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(f))) {
            return r.getFooter().getFileMetaData().getSchema();
        }
    }

    private static String duckTypes(Path f) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('"
                     + f + "'))")) {
            StringBuilder types = new StringBuilder();
            while (rs.next()) {
                types.append(rs.getString(1)).append(' ').append(rs.getString(2)).append(';');
            }
            return types.toString();
        }
    }
}
