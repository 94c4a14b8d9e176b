package dev.backstop.sidecar;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.parquet.Bytes;
import dev.backstop.snapshot.parquet.ChangeRecord;
import dev.backstop.snapshot.parquet.RowFileReader;
import dev.backstop.snapshot.parquet.ValueCodec;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Done means 2: every listed type round-trips exactly, through the base copy and through CDC: PostgreSQL ->
 * Parquet -> rebuilt rows equal to what PostgreSQL holds, re-inserted rows print exactly as the originals, and DuckDB
 * reads the same values from the same files.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class TypesRoundTripIT {
    private static final String COLUMNS = "id int PRIMARY KEY, i2 int2, i4 int4, i8 int8, n_big numeric,"
            + " n_fixed numeric(38,10), n_small numeric(10,2), f4 real, f8 double precision, t text, vc varchar(20),"
            + " bin bytea, b bool, u uuid, d date, tm time, ts timestamp, tz timestamptz, iv interval, j json,"
            + " jb jsonb, ai int[], at text[], m mood";
    private static final String ROW_TYPICAL = "(%d, 12, 123456, 9007199254740993, 3.14, 12345.6789012345, 99.95, 1.5,"
            + " 2.718281828459045, 'plain text', 'short', '\\x0001feff', true, '123e4567-e89b-12d3-a456-426614174000',"
            + " '2024-02-29', '13:14:15.123456', '2024-02-29 13:14:15.5', '2024-02-29 13:14:15.654321+02',"
            + " '1 year 2 mons 3 days 04:05:06.789', '{\"a\": [1, 2.50, \"x\"],  \"b\": null}',"
            + " '{\"b\": {\"c\": true}, \"a\": 1.10}', '{1,NULL,3}', '{\"a b\",\"c,d\",NULL,\"\\\"q\\\"\",\"\"}', 'happy')";
    private static final String ROW_EXTREME = "(%d, -32768, -2147483648, 9223372036854775807,"
            + " 3.141592653589793238462643383279502884197169399375105820974944592307816406286,"
            + " -1234567890123456789012345678.0123456789, -0.01, 'NaN', '-Infinity',"
            + " E'tab\\there \"quotes\" back\\\\slash\\nnewline \u00e9\u4e2d\uD83D\uDE00', '',"
            + " '\\x', false, '00000000-0000-0000-0000-000000000000', '0001-01-01', '00:00:00', '1970-01-01 00:00:00',"
            + " '1900-01-01 00:00:00+00', '-3 days -04:05:06.000001', '[]', '{}', '{}', '{}', 'sad')";
    private static final String ROW_NULLS = "(%d" + ", NULL".repeat(23) + ")";

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void everyTypeRoundTripsThroughBaseAndChanges(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE TABLE alltypes (" + COLUMNS + ")",
                "CREATE TABLE alltypes_restored (" + COLUMNS + ")",
                "INSERT INTO alltypes VALUES " + ROW_TYPICAL.formatted(1) + ", " + ROW_EXTREME.formatted(2) + ", "
                        + ROW_NULLS.formatted(3));
        Manifest m;
        try (Sidecar sidecar = fx.start(fx.config("sc-types", List.of("public.alltypes"), 3600, Map.of()))) {
            // The start-up heartbeat is flushed first: arriving among the changes below it would split them
            // into two delta files.
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)));
            db.execute("INSERT INTO alltypes VALUES " + ROW_TYPICAL.formatted(11) + ", " + ROW_EXTREME.formatted(12)
                            + ", " + ROW_NULLS.formatted(13),
                    "UPDATE alltypes SET t = 'changed', jb = '[1, {\"k\": \"v\"}]' WHERE id IN (1, 12)",
                    "UPDATE alltypes SET i2 = 7 WHERE id = 13",
                    "DELETE FROM alltypes WHERE id = 2");
            m = sidecar.flush(List.of(), Duration.ofSeconds(60)).orElseThrow().manifests()
                    .get(fx.table("public.alltypes")).manifest();
        }
        assertEquals(1, m.baseFiles().size());
        assertEquals(1, m.deltaFiles().size());
        try (ObjectStore store = fx.store(); Connection c = db.connect()) {
            Map<List<Object>, Integer> rebuilt = fx.replay(store, m, m.coveredLsn());
            SidecarFixture.assertSameRows("alltypes", fx.contents(c, "public.alltypes"), rebuilt);
            restore(c, m.columns(), rebuilt);
            assertEquals(rowTexts(c, "alltypes"), rowTexts(c, "alltypes_restored"));
            assertEquals(5, rowTexts(c, "alltypes").size());

            int checked = 0;
            for (ManifestFile f : m.files()) {
                Path local = dir.resolve(f.kind().name().toLowerCase() + ".parquet");
                assertTrue(store.getToFile(f.key(), local));
                checked += compareWithDuckDb(local, m.columns(), f.kind() == dev.backstop.snapshot.FileKind.DELTA);
            }
            assertEquals(3 + 3 + 2 * 3 + 1, checked, "3 base rows; 3 inserts, 3 updates (2 images), 1 delete image");
        }
    }

    /** Inserts rebuilt rows into an identical table, each value passed as text with a cast to its column type. */
    private static void restore(Connection c, List<ColumnSpec> cols, Map<List<Object>, Integer> rows) throws Exception {
        StringBuilder sql = new StringBuilder("INSERT INTO alltypes_restored VALUES (");
        for (int i = 0; i < cols.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("?::").append(cols.get(i).pgType());
        }
        try (PreparedStatement ps = c.prepareStatement(sql.append(')').toString())) {
            for (List<Object> row : rows.keySet()) {
                for (int i = 0; i < row.size(); i++) {
                    Object v = row.get(i);
                    if (v == null) {
                        ps.setNull(i + 1, Types.VARCHAR);
                    } else {
                        ps.setString(i + 1, v instanceof Bytes b ? "\\x" + HexFormat.of().formatHex(b.toByteArray())
                                : v instanceof BigDecimal d ? d.toPlainString() : v.toString());
                    }
                }
                ps.executeUpdate();
            }
        }
    }

    private static List<String> rowTexts(Connection c, String table) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT r::text FROM " + table
                + " r ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Reads the file with DuckDB and with our reader; every value must agree. Returns the row images compared. */
    private static int compareWithDuckDb(Path file, List<ColumnSpec> cols, boolean delta) throws Exception {
        List<Object[]> ours = new ArrayList<>();
        try (RowFileReader r = RowFileReader.open(file, cols)) {
            if (delta) {
                for (ChangeRecord ch = r.nextChange(); ch != null; ch = r.nextChange()) {
                    ours.add(ch.before());
                    ours.add(ch.after());
                }
            } else {
                for (Object[] row = r.nextRow(); row != null; row = r.nextRow()) {
                    ours.add(row);
                }
            }
        }
        List<String> images = delta ? List.of("before", "after") : List.of("");
        StringBuilder sql = new StringBuilder("SELECT ");
        for (String img : images) {
            sql.append(img.isEmpty() ? "" : img + " IS NULL, ");
            for (ColumnSpec col : cols) {
                String ref = img.isEmpty() ? "\"" + col.name() + "\"" : "struct_extract(" + img + ", '" + col.name() + "')";
                sql.append(duckExpression(col, ref)).append(", ");
            }
        }
        sql.append("1 FROM read_parquet('").append(file).append("')").append(delta ? " ORDER BY _bs_lsn" : "");
        int compared = 0;
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
             Statement s = duck.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
            int row = 0;
            while (rs.next()) {
                int idx = 1;
                for (int image = 0; image < images.size(); image++) {
                    Object[] expected = ours.get(row * images.size() + image);
                    if (delta) {
                        assertEquals(expected == null, rs.getBoolean(idx++), "image present");
                    }
                    for (int i = 0; i < cols.size(); i++) {
                        if (expected != null) {
                            assertDuckValue(cols.get(i), expected[i], rs, idx);
                        }
                        idx++;
                    }
                    compared += expected == null ? 0 : 1;
                }
                row++;
            }
            assertEquals(ours.size(), row * images.size());
        }
        return compared;
    }

    private static String duckExpression(ColumnSpec col, String ref) {
        return switch (col.encoding()) {
            case DECIMAL, UUID, DATE -> ref + "::VARCHAR";
            case TIME -> "(date_part('hour', " + ref + ") * 3600 + date_part('minute', " + ref + ") * 60)::BIGINT"
                    + " * 1000000 + date_part('microsecond', " + ref + ")";
            case TIMESTAMP, TIMESTAMPTZ -> "epoch_us(" + ref + ")";
            default -> ref;
        };
    }

    private static void assertDuckValue(ColumnSpec col, Object v, ResultSet rs, int idx) throws Exception {
        String what = col.name() + " (" + col.pgType() + ")";
        if (v == null) {
            rs.getObject(idx);
            assertTrue(rs.wasNull(), what + " is NULL");
            return;
        }
        switch (col.encoding()) {
            case INT16, INT32, INT64 -> assertEquals(((Number) v).longValue(), rs.getLong(idx), what);
            case DECIMAL -> assertEquals(((BigDecimal) v).toPlainString(), rs.getString(idx), what);
            case FLOAT32 -> assertEquals(Float.floatToIntBits((Float) v), Float.floatToIntBits(rs.getFloat(idx)), what);
            case FLOAT64 -> assertEquals(Double.doubleToLongBits((Double) v), Double.doubleToLongBits(rs.getDouble(idx)),
                    what);
            case BOOL -> assertEquals(v, rs.getBoolean(idx), what);
            case BYTES -> assertArrayEquals(((Bytes) v).toByteArray(), rs.getBytes(idx), what);
            case UUID -> assertEquals(((UUID) v).toString(), rs.getString(idx), what);
            case DATE -> assertEquals(((LocalDate) v).toString(), rs.getString(idx), what);
            case TIME -> assertEquals(((LocalTime) v).toNanoOfDay() / 1000, rs.getLong(idx), what);
            case TIMESTAMP -> assertEquals(ValueCodec.micros(((LocalDateTime) v).toInstant(ZoneOffset.UTC)),
                    rs.getLong(idx), what);
            case TIMESTAMPTZ -> assertEquals(ValueCodec.micros((Instant) v), rs.getLong(idx), what);
            case NUMERIC_TEXT, TEXT, PG_TEXT -> assertEquals(v, rs.getString(idx), what);
        }
        assertFalse(rs.wasNull(), what + " is not NULL");
    }
}
