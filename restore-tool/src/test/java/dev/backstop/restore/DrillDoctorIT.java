package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.testsupport.DedicatedS3Server;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3Server;
import dev.backstop.testsupport.S3ServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** drill and doctor pass on a healthy chain and report a broken one (S3 stopped) as failed. */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
@DedicatedS3Server
class DrillDoctorIT {
    @TempDir
    Path dir;

    /**
     * The drill's scratch table is UNLOGGED: a drill on a production server must not write the table's size in WAL
     * (replication traffic, archive volume, and rows the sidecar's own slot would have to decode).
     */
    @Test
    void drillWritesNoWalForItsRows(PgDatabase db, S3Endpoint s3) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "drillwal")) {
            Orders.create(db, 20_000);
            cap.start(List.of("public.orders"), Map.of());
            cap.flush();
            long tableBytes = ((Number) db.queryValue("SELECT pg_table_size('public.orders')")).longValue();
            assertTrue(tableBytes > 4_000_000, "the table is large enough to tell: " + tableBytes);
            Object before = db.queryValue("SELECT pg_current_wal_insert_lsn()::text");

            CliRun drill = cap.run("drill", "orders", "--json");

            long wal = ((Number) db.queryValue("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '" + before
                    + "')")).longValue();
            assertEquals(0, drill.exitCode(), drill.toString());
            assertEquals(20_000, new ObjectMapper().readTree(drill.out()).get("tables").get(0).get("rows").asLong());
            // A logged scratch table writes at least its own size (every row, then the index); what remains is the
            // catalog changes of creating and dropping it, and the sidecar's heartbeats meanwhile.
            assertTrue(wal < tableBytes / 4, "WAL written during the drill: " + wal + " bytes, table " + tableBytes);
        }
    }

    @Test
    void healthyChainPassesAndStoppedS3Fails(PgDatabase db, S3Endpoint s3, S3Server server) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "drill")) {
            Orders.create(db, 150);
            cap.start(List.of("public.orders"), Map.of());
            cap.flush();

            Path textfile = dir.resolve("drill.prom");
            CliRun drill = cap.run("drill", "orders", "--json", "--textfile", textfile.toString());
            assertEquals(0, drill.exitCode(), drill.toString());
            JsonNode j = new ObjectMapper().readTree(drill.out());
            assertEquals("restore_drill", j.get("event").asText());
            assertTrue(j.get("ok").asBoolean(), drill.out());
            assertEquals(150, j.get("tables").get(0).get("rows").asLong());
            assertEquals("public.orders", j.get("tables").get(0).get("table").asText());
            assertTrue(Files.readString(textfile).contains("backstop_restore_drill_success{table=\"public.orders\"} 1\n"));
            // The scratch table is gone.
            assertEquals(0L, db.queryValue("SELECT count(*) FROM pg_class WHERE relname LIKE 'orders__drill_%'"));

            // A scratch table of the name this drill would use already exists (another drill started in the same
            // second): the drill fails and leaves it alone.
            java.time.Instant t0 = java.time.Instant.now();
            for (int s = 0; s < 20; s++) {
                db.execute("CREATE TABLE IF NOT EXISTS " + RestoreRun.scratchName("orders", "drill", t0.plusSeconds(s))
                        + " (marker int)");
            }
            CliRun clash = cap.run("drill", "orders", "--json");
            assertEquals(1, clash.exitCode(), clash.toString());
            assertTrue(clash.out().contains("already exists"), clash.out());
            assertEquals(20L, db.queryValue("SELECT count(*) FROM pg_class WHERE relname LIKE 'orders__drill_%'"),
                    "the other drill's tables are untouched");
            db.execute("DO $$ DECLARE r record; BEGIN FOR r IN SELECT relname FROM pg_class WHERE relname LIKE"
                    + " 'orders__drill_%' AND relkind = 'r' LOOP EXECUTE format('DROP TABLE %I', r.relname); END LOOP; END $$");

            CliRun doctor = cap.run("doctor");
            assertEquals(0, doctor.exitCode(), doctor.toString());
            List<String> lines = doctor.outLines();
            assertTrue(lines.get(0).startsWith("PASS  database_reachable: "), doctor.out());
            assertEquals("PASS  wal_level_logical: wal_level = logical", lines.get(1));
            assertTrue(lines.get(2).startsWith("PASS  replication_slot: slot drill_slot (pgoutput) active"), doctor.out());
            assertTrue(lines.get(3).startsWith("PASS  s3_read_write: put + get of s3://"), doctor.out());
            assertTrue(lines.get(4).startsWith("PASS  s3_delete: delete of s3://"), doctor.out());
            assertTrue(lines.get(5).startsWith("PASS  heartbeat_fresh: sidecar sc-drill heartbeat written "), doctor.out());
            assertTrue(lines.get(6).startsWith("PASS  recovery_point:public.orders: "), doctor.out());
            assertEquals("doctor: all checks passed", lines.get(7));

            server.stop();
            try {
                CliRun broken = cap.run("drill", "--all", "--json", "--textfile", textfile.toString());
                assertEquals(1, broken.exitCode(), broken.toString());
                JsonNode b = new ObjectMapper().readTree(broken.out());
                assertTrue(!b.get("ok").asBoolean(), broken.out());
                assertTrue(b.get("tables").get(0).get("problems").get(0).asText().startsWith("object store unavailable: "),
                        broken.out());
                assertTrue(Files.readString(textfile).contains("backstop_restore_drill_success{table=\"\"} 0\n"));

                CliRun sick = cap.run("doctor");
                assertEquals(1, sick.exitCode(), sick.toString());
                assertTrue(sick.out().contains("FAIL  s3_read_write: S3 put "), sick.out());
                assertTrue(sick.out().contains("FAIL  heartbeat_fresh: object store unreachable"), sick.out());
                assertTrue(sick.out().contains("FAIL  recovery_point:public.orders: object store unreachable"), sick.out());
                assertTrue(sick.out().endsWith("check(s) FAILED\n"), sick.out());
            } finally {
                server.start();
            }
        }
    }
}
