package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.sidecar.Sidecar;
import dev.backstop.snapshot.Lsn;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.GatewayStateSchema;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A recovery group of two tables restores both to one LSN: the group recovery point's, or a given one. */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class GroupRestoreIT {
    @TempDir
    Path dir;

    @Test
    void bothMembersAtOneLsn(PgDatabase db, S3Endpoint s3) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "group"); Connection c = db.connect()) {
            Orders.create(db, 200);
            GatewayStateSchema.create(db); // each member's restore is recorded in the gateway's audit
            db.execute("CREATE TABLE items (order_id bigint, sku text, n int, PRIMARY KEY (order_id, sku))",
                    "INSERT INTO items SELECT g, 'sku-' || (g % 3), g FROM generate_series(1, 200) g");
            cap.start(List.of("public.orders", "public.items"), Map.of("shop", List.of("public.orders", "public.items")));
            try (Statement s = c.createStatement()) {
                // One transaction touching both: a consistent restore has both changes or neither.
                c.setAutoCommit(false);
                s.execute("DELETE FROM items WHERE order_id <= 20");
                s.execute("DELETE FROM orders WHERE id <= 20");
                c.commit();
                c.setAutoCommit(true);
            }
            Lsn l0 = Capture.currentLsn(c);
            String orders1 = Capture.contentHash(c, "orders", "id");
            String items1 = Capture.contentHash(c, "items", "order_id, sku");
            cap.flush();
            try (Statement s = c.createStatement()) {
                s.execute("UPDATE items SET n = n + 1000 WHERE order_id > 150");
                s.execute(Orders.insert(900, 950));
            }
            Sidecar.FlushResult second = cap.flush();
            String orders2 = Capture.contentHash(c, "orders", "id");
            String items2 = Capture.contentHash(c, "items", "order_id, sku");
            db.execute("DELETE FROM items", "DELETE FROM orders"); // the incident

            CliRun latest = cap.run(Instant.parse("2026-11-26T10:00:00Z"), "group", "restore", "shop");
            assertEquals(0, latest.exitCode(), latest.toString());
            assertTrue(latest.out().startsWith("Group:            shop (2 tables, one LSN: " + second.lsn() + ")"),
                    latest.out());
            assertEquals(orders2, Capture.contentHash(c, "orders__recovered_20261126_100000", "id"));
            assertEquals(items2, Capture.contentHash(c, "items__recovered_20261126_100000", "order_id, sku"));

            CliRun atL0 = cap.run(Instant.parse("2026-11-26T10:00:01Z"), "group", "restore", "shop", "--lsn", l0.toString());
            assertEquals(0, atL0.exitCode(), atL0.toString());
            assertTrue(atL0.out().startsWith("Group:            shop (2 tables, one LSN: " + l0 + ")"), atL0.out());
            assertEquals(orders1, Capture.contentHash(c, "orders__recovered_20261126_100001", "id"));
            assertEquals(items1, Capture.contentHash(c, "items__recovered_20261126_100001", "order_id, sku"));
            assertTrue(atL0.out().contains("-- ===== mode missing-rows (apply: backstop restore copyback public.items "
                    + "items__recovered_20261126_100001 --mode missing-rows --apply)"), atL0.out());
            assertEquals(4, AuditChainCheck.assertValid(db), "one record per member and restore");
            assertEquals("public.orders__recovered_20261126_100001 shop validated", db.queryValue("SELECT (record::jsonb"
                    + " ->> 'recovered') || ' ' || (record::jsonb ->> 'group') || ' ' || outcome FROM backstop.audit"
                    + " WHERE seq = 4"));
        }
    }
}
