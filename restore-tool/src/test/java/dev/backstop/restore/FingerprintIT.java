package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.ValueEncoding;
import dev.backstop.snapshot.parquet.Bytes;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The SQL fingerprint of a table equals the Java fingerprint of the same values, and any one changed cell, a value
 * moved to another row or column, a NULL, a duplicated or a missing row changes it.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class FingerprintIT {
    private static final List<ColumnSpec> COLUMNS = List.of(
            ColumnSpec.of("id", "bigint", ValueEncoding.INT64, false),
            ColumnSpec.of("t", "text", ValueEncoding.TEXT, true),
            ColumnSpec.of("c", "character(5)", ValueEncoding.TEXT, true),
            ColumnSpec.decimal("n", "numeric(12,2)", 12, 2, true),
            ColumnSpec.of("f", "double precision", ValueEncoding.FLOAT64, true),
            ColumnSpec.of("r", "real", ValueEncoding.FLOAT32, true),
            ColumnSpec.of("b", "boolean", ValueEncoding.BOOL, true),
            ColumnSpec.of("d", "date", ValueEncoding.DATE, true),
            ColumnSpec.of("ts", "timestamp with time zone", ValueEncoding.TIMESTAMPTZ, true),
            ColumnSpec.of("by", "bytea", ValueEncoding.BYTES, true),
            ColumnSpec.of("u", "uuid", ValueEncoding.UUID, true),
            ColumnSpec.of("j", "jsonb", ValueEncoding.PG_TEXT, true),
            ColumnSpec.of("q", "smallint", ValueEncoding.INT16, true));

    @Test
    void sqlEqualsJavaAndEveryChangeIsSeen(PgDatabase db) throws Exception {
        try (Connection c = Database.prepare(db.connect()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE fp (id bigint NOT NULL, t text, c char(5), n numeric(12,2), f float8, r real, b bool,"
                    + " d date, ts timestamptz, by bytea, u uuid, j jsonb, q smallint)");
            s.execute("INSERT INTO fp VALUES (1, E'a \"q\" \\\\ (b), Zoë', 'ab', -1.50, 0.1, -0, true, '1969-12-31',"
                    + " '1970-01-01 00:00:02.000001+00', '\\x01ab', '00000000-0000-0000-0000-00000000000f',"
                    + " '{\"k\": [1, 2]}', -3),"
                    + " (2, '', 'x', 0, 'NaN', 1.5, false, '2026-11-26', '2026-11-26 10:15:30.5+00', '\\x', "
                    + " 'c4ca4238-a0b9-2382-0dcc-509a6f75849b', 'null', 7),"
                    + " (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
            Object[] nullRow = new Object[COLUMNS.size()];
            nullRow[0] = 3L;
            Fingerprint expected = new Fingerprint(COLUMNS);
            expected.add(new Object[] {1L, "a \"q\" \\ (b), Zoë", "ab   ", new BigDecimal("-1.50"), 0.1, -0.0f, true,
                LocalDate.of(1969, 12, 31), Instant.parse("1970-01-01T00:00:02.000001Z"),
                Bytes.copyOf(new byte[] {1, (byte) 0xab}), new UUID(0, 15), "{\"k\": [1, 2]}", (short) -3});
            expected.add(new Object[] {2L, "", "x    ", new BigDecimal("0.00"), Double.NaN, 1.5f, false,
                LocalDate.of(2026, 11, 26), Instant.parse("2026-11-26T10:15:30.5Z"), Bytes.copyOf(new byte[0]),
                UUID.fromString("c4ca4238-a0b9-2382-0dcc-509a6f75849b"), "null", (short) 7});
            expected.add(nullRow);
            Fingerprint.Value original = Restorer.fingerprint(c, COLUMNS, "fp");
            assertEquals(expected.value(), original);

            List<String> changes = List.of(
                    "UPDATE fp SET t = 'a \"q\" \\ (b), Zoe' WHERE id = 1",
                    "UPDATE fp SET c = 'abc' WHERE id = 1",
                    "UPDATE fp SET n = -1.51 WHERE id = 1",
                    "UPDATE fp SET f = 0.1000000000000001 WHERE id = 1",
                    "UPDATE fp SET r = 1.5000001 WHERE id = 2",
                    "UPDATE fp SET b = NOT b WHERE id = 1",
                    "UPDATE fp SET d = d + 1 WHERE id = 2",
                    "UPDATE fp SET ts = ts + interval '1 microsecond' WHERE id = 1",
                    "UPDATE fp SET by = '\\x01ac' WHERE id = 1",
                    "UPDATE fp SET u = '00000000-0000-0000-0000-00000000001f' WHERE id = 1",
                    "UPDATE fp SET j = '{\"k\": [2, 1]}' WHERE id = 1",
                    "UPDATE fp SET q = 8 WHERE id = 2",
                    "UPDATE fp SET t = NULL WHERE id = 2",
                    "UPDATE fp SET t = '' WHERE id = 3",
                    "UPDATE fp SET id = 4 WHERE id = 3",
                    // values exchanged between rows, and between two columns of one row
                    "UPDATE fp SET q = CASE id WHEN 1 THEN 7 ELSE -3 END WHERE id IN (1, 2)",
                    "UPDATE fp SET t = 'x', c = '' WHERE id = 2",
                    "INSERT INTO fp SELECT * FROM fp WHERE id = 3",
                    "DELETE FROM fp WHERE id = 3");
            for (String change : changes) {
                s.execute("BEGIN");
                s.execute(change);
                assertNotEquals(original, Restorer.fingerprint(c, COLUMNS, "fp"), change);
                s.execute("ROLLBACK");
            }
            assertEquals(original, Restorer.fingerprint(c, COLUMNS, "fp"));
        }
    }
    @Test
    void aNullIsNotAValueThatHashesToZeroOrItsSeed(PgDatabase db) throws Exception {
        // A float zero hashes to its column's seed; with NULL contributing 0, (0, 0, NULL) and (NULL, NULL, 0) over
        // three float columns had the same row hash. Each NULL now has its column's own mark.
        List<ColumnSpec> floats = List.of(ColumnSpec.of("a", "double precision", ValueEncoding.FLOAT64, true),
                ColumnSpec.of("b", "double precision", ValueEncoding.FLOAT64, true),
                ColumnSpec.of("c", "double precision", ValueEncoding.FLOAT64, true));
        try (Connection c = Database.prepare(db.connect()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE fz1 (a float8, b float8, c float8)");
            s.execute("CREATE TABLE fz2 (a float8, b float8, c float8)");
            s.execute("INSERT INTO fz1 VALUES (0, 0, NULL)");
            s.execute("INSERT INTO fz2 VALUES (NULL, NULL, 0)");
            Fingerprint.Value one = Restorer.fingerprint(c, floats, "fz1");
            Fingerprint.Value two = Restorer.fingerprint(c, floats, "fz2");
            assertNotEquals(one, two);
            Fingerprint j1 = new Fingerprint(floats);
            j1.add(new Object[] {0.0, 0.0, null});
            Fingerprint j2 = new Fingerprint(floats);
            j2.add(new Object[] {null, null, 0.0});
            assertEquals(j1.value(), one, "Java = SQL");
            assertEquals(j2.value(), two, "Java = SQL");
        }
    }
}
