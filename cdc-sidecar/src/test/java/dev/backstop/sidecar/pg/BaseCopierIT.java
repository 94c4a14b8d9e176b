package dev.backstop.sidecar.pg;

import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.RecoveryPointPublisher;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.parquet.RowFileReader;
import dev.backstop.snapshot.store.S3ObjectStore;
import dev.backstop.snapshot.store.S3Settings;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The base copy (binary COPY, block ranges in parallel on one exported snapshot) yields exactly the rows the plain
 * text-mode JDBC read yields ({@link JdbcValues}, the reference), for types whose binary and text forms differ in
 * awkward ways; and any failure in any range fails the whole base without leaving files or the temporary slot.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class BaseCopierIT {
    private static final String COLUMNS = "id int, c5 char(5), ip inet, flag yesno, tm time, n numeric,"
            + " n2 numeric(10,2), n18 numeric(18,0), ts timestamptz, tsl timestamp, d date, f4 real, f8 float8,"
            + " u uuid, bin bytea, arr int[], tags text[], txt text, js jsonb, i2 int2, i8 int8, b bool, iv interval";
    private static final String ROWS = "INSERT INTO edge SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'x' || (g % 100) END,"
            + " ('10.0.' || (g % 250) || '.' || (g % 200))::inet, g % 3 = 0,"
            + " CASE WHEN g = 7 THEN '24:00:00'::time ELSE make_time(g % 24, g % 60, (g % 600) / 10.0) END,"
            + " CASE WHEN g % 11 = 0 THEN 'NaN'::numeric ELSE (g * 1.5 - 9000)::numeric / 7 END,"
            + " (g % 10000 - 5000) / 100.0, g::numeric * 1000000000007 - 12345678901234567,"
            + " timestamptz '1999-12-31 23:59:59.999999+00' + g * interval '1 hour 1.000001 second',"
            + " timestamp '0044-03-15 12:00' + g * interval '37 days',"
            + " date '1970-01-01' + (g - 10000), g / 3.0::real, CASE WHEN g % 13 = 0 THEN '-Infinity' ELSE g / 7.0 END,"
            + " md5(g::text)::uuid, CASE WHEN g % 17 = 0 THEN ''::bytea ELSE decode(md5(g::text), 'hex') END,"
            + " ARRAY[g, NULL, -g], ARRAY['a b', 'c,d', NULL, g::text], repeat(chr(233) || chr(20013), g % 4),"
            + " jsonb_build_object('k', g % 10, 'v', g / 3.0), (g % 32767)::int2, g::bigint * -1000000007, g % 2 = 0,"
            + " g * interval '1 min 1 usec' FROM generate_series(1, 20000) g";

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void parallelRangesCopyExactlyWhatTheTableHolds(PgDatabase db, S3Endpoint s3) throws Exception {
        db.execute("DROP TABLE IF EXISTS edge", "DROP DOMAIN IF EXISTS yesno", "CREATE DOMAIN yesno AS bool", "CREATE TABLE edge (" + COLUMNS + ")", ROWS,
                "INSERT INTO edge (id) VALUES (0)", "UPDATE edge SET txt = 'updated' WHERE id % 9 = 0");
        try (S3ObjectStore store = S3ObjectStore.create(settings(s3))) {
            BaseCopier copier = copier(db, store, 3);
            BaseCopier.Base base = copier.copy(new TableRef(db.name(), "public", "edge"));

            assertEquals(20001, base.rows());
            // 3 ranges of several parts each, numbered consecutively from 0, 10000 and 20000, in that order.
            List<Integer> parts = partNumbers(base);
            assertEquals(0, parts.get(0));
            int ranges = 1;
            for (int i = 1; i < parts.size(); i++) {
                if (parts.get(i) != parts.get(i - 1) + 1) {
                    assertEquals(ranges * BaseCopier.PARTS_PER_WRITER, parts.get(i), "parts " + parts);
                    assertTrue(parts.get(i - 1) % BaseCopier.PARTS_PER_WRITER >= 1, "several parts per range " + parts);
                    ranges++;
                }
            }
            assertEquals(3, ranges, "parts " + parts);
            assertEquals(Map.of(), leftovers(), "temporary files");
            try (Connection c = db.connect()) {
                assertSameRows(reference(c, "public.edge"), fromParts(store, base));
                assertEquals(0L, tempSlots(c));
            }
        }
    }

    @Test
    @Timeout(120)
    void aFailureInOneRangeFailsTheWholeBaseAndLeavesNothingBehind(PgDatabase db, S3Endpoint s3) throws Exception {
        db.execute("DROP TABLE IF EXISTS edge", "DROP DOMAIN IF EXISTS yesno", "CREATE DOMAIN yesno AS bool", "CREATE TABLE edge (" + COLUMNS + ")", ROWS,
                "UPDATE edge SET ts = 'infinity' WHERE id = 19990");
        try (S3ObjectStore store = S3ObjectStore.create(settings(s3))) {
            FormatException e = assertThrows(FormatException.class,
                    () -> copier(db, store, 3).copy(new TableRef(db.name(), "public", "edge")));
            assertEquals("column ts holds an infinite date/time, which cannot be stored", e.getMessage());
            assertEquals(Map.of(), leftovers(), "temporary files");
            try (Connection c = db.connect()) {
                assertEquals(0L, tempSlots(c));
            }
        }
    }

    @Test
    @Timeout(120)
    void anUploadFailureFailsTheWholeBaseAndLeavesNothingBehind(PgDatabase db, S3Endpoint s3) throws Exception {
        db.execute("DROP TABLE IF EXISTS edge", "DROP DOMAIN IF EXISTS yesno", "CREATE DOMAIN yesno AS bool",
                "CREATE TABLE edge (" + COLUMNS + ")", ROWS);
        S3Settings good = settings(s3);
        // A bucket that does not exist: every upload fails, while the writers go on producing parts.
        S3Settings missingBucket = new S3Settings(good.endpoint(), good.region(), "no-such-bucket", good.prefix(),
                good.pathStyle(), good.accessKeyId(), good.secretAccessKey());
        try (S3ObjectStore store = S3ObjectStore.create(missingBucket)) {
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> copier(db, store, 2).copy(new TableRef(db.name(), "public", "edge")));
            // The server answers NoSuchBucket, possibly before it has read the body: under load the client can
            // see that as a broken pipe instead. Either way it is the part upload that failed.
            assertTrue(e.getMessage().startsWith("S3 put bs/tables/") && (e.getMessage().contains(
                    ".parquet failed: The specified bucket does not exist")
                    || e.getMessage().contains(".parquet failed: Unable to execute HTTP request")), e.getMessage());
            assertEquals(Map.of(), leftovers(), "temporary files");
            try (Connection c = db.connect()) {
                assertEquals(0L, tempSlots(c));
            }
        }
    }

    private BaseCopier copier(PgDatabase db, S3ObjectStore store, int parallelism) {
        RecoveryPointPublisher publisher = new RecoveryPointPublisher(store, new SnapshotKeys("bs"), Clock.systemUTC());
        // Small parts (rolled at 256 KiB) and one-block ranges, so a small table exercises several of each.
        return new BaseCopier(db.jdbcUrl(), db.user(), db.password() == null ? "" : db.password(), publisher, dir,
                256 * 1024, Clock.systemUTC(), parallelism, 1);
    }

    private static S3Settings settings(S3Endpoint s3) {
        return new S3Settings(s3.endpoint().toString(), s3.region(), s3.bucket(), "bs", true, s3.accessKey(),
                s3.secretKey());
    }

    private static List<Integer> partNumbers(BaseCopier.Base base) {
        return base.files().stream().map(f -> {
            String name = f.key().substring(f.key().lastIndexOf('/') + 1);
            return Integer.parseInt(name.substring("part-".length(), name.length() - ".parquet".length()));
        }).toList();
    }

    private Map<Path, Long> leftovers() throws Exception {
        Map<Path, Long> out = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                out.put(p, Files.size(p));
            }
        }
        return out;
    }

    private static long tempSlots(Connection c) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'backstop_base_%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The table read in text mode through {@link JdbcValues}, as a multiset of rows. */
    private static Map<List<Object>, Integer> reference(Connection c, String table) throws Exception {
        TableSchema schema = PgCatalog.describe(c, TableRef.parse("x", table)).orElseThrow();
        Map<List<Object>, Integer> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Object[] row = new Object[schema.columns().size()];
                for (int i = 0; i < row.length; i++) {
                    row[i] = JdbcValues.read(rs, i + 1, schema.columns().get(i));
                    if (row[i] instanceof LocalTime t) {
                        // pgjdbc reads 24:00:00 as LocalTime.MAX (nanoseconds); files hold microseconds.
                        row[i] = t.truncatedTo(ChronoUnit.MICROS);
                    }
                }
                out.merge(Arrays.asList(row), 1, Integer::sum);
            }
        }
        return out;
    }

    private Map<List<Object>, Integer> fromParts(S3ObjectStore store, BaseCopier.Base base) throws Exception {
        Map<List<Object>, Integer> out = new HashMap<>();
        Path local = dir.resolve("check.parquet");
        for (ManifestFile f : base.files()) {
            assertTrue(store.getToFile(f.key(), local));
            long n = 0;
            try (RowFileReader r = RowFileReader.open(local, base.schema().columns())) {
                for (Object[] row = r.nextRow(); row != null; row = r.nextRow()) {
                    out.merge(Arrays.asList(row), 1, Integer::sum);
                    n++;
                }
            }
            assertEquals(f.rows(), n, f.key());
            Files.delete(local);
        }
        return out;
    }

    /** Compares multisets, reporting sizes and one differing row rather than 20,000 rows. */
    private static void assertSameRows(Map<List<Object>, Integer> expected, Map<List<Object>, Integer> actual) {
        for (Map.Entry<List<Object>, Integer> e : expected.entrySet()) {
            assertEquals(e.getValue(), actual.getOrDefault(e.getKey(), 0), () -> "count of " + e.getKey());
        }
        assertEquals(expected.size(), actual.size(), "distinct rows");
    }
}
