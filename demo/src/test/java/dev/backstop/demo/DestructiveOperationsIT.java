package dev.backstop.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * TRUNCATE, ALTER TABLE .. DROP COLUMN and DROP TABLE sent by an agent through the gateway: held,
 * approved, gated, executed; then `restore --before-audit` and copyback bring the table back exactly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DestructiveOperationsIT {
    private static final String ORDER_COLUMNS = "id, customer_id, status, total, items, placed_at";
    private static final String PAYMENT_COLUMNS = "id, order_id, amount, method, status, paid_at";

    @TempDir
    static Path dir;
    static DemoRun demo;
    static DemoHttp http;

    @BeforeAll
    static void start() throws Exception {
        demo = DemoRun.start(dir, true, DemoPorts.free(), System.out);
        http = new DemoHttp(demo.info.gatewayUrl());
    }

    @AfterAll
    static void stop() {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    @Order(1)
    void truncateIsUndoneWithReplace() throws Exception {
        String before = fingerprint("payments", PAYMENT_COLUMNS);
        String auditId = approveAndRun("TRUNCATE payments");
        assertEquals(0, count("payments"));
        restoreAndCopyBack("public.payments", auditId, "replace");
        assertEquals(before, fingerprint("payments", PAYMENT_COLUMNS));
    }

    @Test
    @Order(2)
    void dropColumnIsUndoneWithUpsert() throws Exception {
        String before = fingerprint("orders", ORDER_COLUMNS);
        String auditId = approveAndRun("ALTER TABLE orders DROP COLUMN items");
        restoreAndCopyBack("public.orders", auditId, "upsert");
        assertEquals(before, fingerprint("orders", ORDER_COLUMNS), "column values restored");
    }

    @Test
    @Order(3)
    void dropTableIsUndoneByRenamingTheRecoveredTable() throws Exception {
        String before = fingerprint("payments", PAYMENT_COLUMNS);
        String auditId = approveAndRun("DROP TABLE payments");
        restoreAndCopyBack("public.payments", auditId, "missing-rows");
        assertEquals(before, fingerprint("payments", PAYMENT_COLUMNS));
    }

    /** The agent sends it, it is held, the operator approves, the gate passes and it runs; returns the audit id. */
    private static String approveAndRun(String sql) throws Exception {
        DemoHttp.Response held = http.post("/v1/query", demo.info.agentToken(), Map.of("sql", sql));
        assertEquals(202, held.status(), held.body().toString());
        assertEquals("CRITICAL", held.text("risk"), held.body().toString());
        DemoHttp.Response done = http.post("/v1/approvals/" + held.text("approval_id") + "/approve",
                demo.info.operatorToken(), Map.of("comment", "test"));
        assertEquals(200, done.status(), done.body().toString());
        assertEquals("executed", done.text("status"), done.body().toString());
        DemoHttp.Response flushed = new DemoHttp("http://127.0.0.1:" + demo.env.ports.sidecar())
                .post("/flush", demo.env.secrets.sidecarToken(), Map.of("tables", List.of()));
        assertEquals(200, flushed.status(), flushed.body().toString());
        return done.text("audit_id");
    }

    private static void restoreAndCopyBack(String table, String auditId, String mode) {
        String recovered = table.substring(table.indexOf('.') + 1) + "_rec_" + System.nanoTime() % 1_000_000;
        RestoreToolRun restore = RestoreToolRun.run(demo.env.configFile,
                "restore", table, "--before-audit", auditId, "--into", recovered, "--mode", mode);
        assertEquals(0, restore.exit(), restore.out() + restore.err());
        RestoreToolRun copyback = RestoreToolRun.run(demo.env.configFile, "copyback", table, recovered, "--mode", mode, "--apply");
        assertEquals(0, copyback.exit(), copyback.out() + copyback.err());
    }

    private static long count(String table) throws Exception {
        try (Connection c = demo.env.appAdminConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM public." + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Order-independent fingerprint of the named columns (column order in the table does not matter). */
    private static String fingerprint(String table, String columns) throws Exception {
        try (Connection c = demo.env.appAdminConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) || ':' || md5(coalesce(string_agg(md5(ROW(" + columns
                     + ")::text), '' ORDER BY md5(ROW(" + columns + ")::text)), '')) FROM public." + table)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
