package dev.backstop.demo;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

/**
 * {@code ./backstop demo --scenario incident}: the whole story, non-interactively. Each step prints
 * what it did and whether the system behaved as expected; the run succeeds only if every step did.
 */
final class IncidentScenario {
    private final DemoInfo info;
    private final DemoEnvironment env;
    private final PrintStream out;
    private final DemoHttp http;
    private int step;
    private boolean allPassed = true;

    IncidentScenario(DemoInfo info, DemoEnvironment env, PrintStream out) {
        this.info = info;
        this.env = env;
        this.out = out;
        this.http = new DemoHttp(info.gatewayUrl());
    }

    boolean run() throws Exception {
        String before = tableFingerprint("orders");
        long rowsBefore = count("orders");
        out.printf("%n== Incident scenario: orders has %,d rows (fingerprint %s) ==%n", rowsBefore, before.substring(0, 12));

        DemoHttp.Response read = http.post("/v1/query", info.agentToken(),
                Map.of("sql", "SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY status"));
        expect("agent reads orders", read, 200, "executed", "rows: " + read.body().path("rows"));

        DemoHttp.Response bulk = http.post("/v1/query", info.agentToken(),
                Map.of("sql", "UPDATE orders SET status = 'archived' WHERE status = 'delivered'",
                        "reason", "tidy up old orders"));
        expect("agent bulk UPDATE over the impact limit", bulk, 202, "approval_required",
                "risk " + bulk.text("risk") + ", reasons " + bulk.body().path("reasons"));
        check("bulk UPDATE left the table unchanged", count("orders") == rowsBefore && tableFingerprint("orders").equals(before),
                "rows " + count("orders"));

        DemoHttp.Response delete = http.post("/v1/query", info.agentToken(),
                Map.of("sql", "DELETE FROM orders", "reason", "reset test data"));
        expect("agent DELETE FROM orders", delete, 202, "approval_required",
                "risk " + delete.text("risk") + ", approval " + delete.text("approval_id"));
        String approvalId = delete.text("approval_id");

        DemoHttp.Response approved = http.post("/v1/approvals/" + approvalId + "/approve", info.operatorToken(),
                Map.of("comment", "approved in the demo"));
        expect("operator approves; the recovery gate passes; it executes", approved, 200, "executed",
                "row_count " + approved.body().path("row_count") + ", gate " + approved.body().path("gate"));
        check("orders is now empty", count("orders") == 0, "rows " + count("orders"));

        // The id the agent got back for its DELETE (the held request): the restore tool follows its approval to
        // the execution the operator approved, as an operator who only has the agent's id would use it.
        String requestAuditId = delete.text("audit_id");
        allPassed &= new ScenarioRestore(env, out).restoreAndCopyBack("public.orders", requestAuditId,
                approved.text("audit_id"), rowsBefore, before, this::count, this::tableFingerprint, this::nextStep);

        // Recovery proven again, as the sidecar's schedule would (sidecar.drillIntervalSeconds); the drill's record
        // goes into the same audit chain, which the gateway then verifies end to end.
        RestoreToolRun drill = RestoreToolRun.run(env.configFile, "drill", "--all", "--json");
        check("restore drill --all (latest recovery points, validated, dropped)", drill.exit() == 0
                && drill.out().contains("\"ok\":true") && drill.out().contains("\"audit_seq\":"),
                drill.exit() == 0 ? drill.out().strip().replaceAll(".*(\"audit_seq\":\\d+).*", "$1")
                        : drill.lastLines(3));
        DemoHttp.Response verify = http.get("/v1/audit/verify", info.operatorToken());
        check("audit chain verifies (copyback and drill records included)", verify.status() == 200
                && verify.body().path("ok").asBoolean(), "HTTP " + verify.status() + " " + verify.body());

        out.println();
        out.println(allPassed ? "== Scenario passed: every step behaved as expected ==" : "== Scenario FAILED (see above) ==");
        return allPassed;
    }

    private void expect(String what, DemoHttp.Response r, int status, String outcome, String detail) {
        boolean ok = r.status() == status && outcome.equals(r.text("status"));
        check(what, ok, "HTTP " + r.status() + " " + r.text("status") + (ok ? "; " + detail : "; body " + r.body()));
    }

    int nextStep() {
        return ++step;
    }

    void check(String what, boolean ok, String detail) {
        out.printf("[%d] %-62s %s  %s%n", nextStep(), what, ok ? "OK  " : "FAIL", detail);
        allPassed &= ok;
    }

    long count(String table) {
        try (Connection c = env.appAdminConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM public." + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            return -1;
        }
    }

    /** An order-independent fingerprint of a table's rows, computed by PostgreSQL. */
    String tableFingerprint(String table) {
        try (Connection c = env.appAdminConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), ''))"
                     + " FROM public." + table + " t")) {
            rs.next();
            return rs.getString(1);
        } catch (Exception e) {
            return "error: " + e.getMessage();
        }
    }
}
