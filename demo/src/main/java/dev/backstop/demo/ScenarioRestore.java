package dev.backstop.demo;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.ToLongFunction;

/**
 * The recovery half of the incident scenario, done exactly as the runbook (docs/operations.md) tells an
 * operator: restore into a new table as of just before the audited statement, look at the diff, apply
 * the copyback SQL, check that nothing differs any more, drop the recovered table.
 */
final class ScenarioRestore {
    private final DemoEnvironment env;
    private final PrintStream out;

    ScenarioRestore(DemoEnvironment env, PrintStream out) {
        this.env = env;
        this.out = out;
    }

    boolean restoreAndCopyBack(String table, String auditId, long rowsBefore, String fingerprintBefore,
                               ToLongFunction<String> count, Function<String, String> fingerprint, IntSupplier step) {
        String shortName = table.substring(table.indexOf('.') + 1);
        String recovered = shortName + "_recovered_" + System.currentTimeMillis() / 1000;
        boolean ok = true;

        // The restore needs proof that every change up to the statement is durable in S3: the
        // sidecar's next heartbeat gives it within seconds; a flush gives it now.
        String flushed = flushSidecar();
        ok &= report(step, "sidecar flush (every change so far durable in S3)", flushed.startsWith("HTTP 200"), flushed);
        RestoreToolRun restore = restoreTool("restore", table, "--before-audit", auditId, "--into", recovered);
        ok &= report(step, "restore " + table + " --before-audit " + auditId.substring(0, 8) + "...",
                restore.exit() == 0 && restore.out().contains("BEGIN"),
                "exit " + restore.exit() + "; " + restore.lastLines(3));
        if (restore.exit() != 0) {
            return false;
        }
        ok &= report(step, "recovered table " + recovered + " equals orders before the DELETE",
                count.applyAsLong(recovered) == rowsBefore && fingerprint.apply(recovered).equals(fingerprintBefore),
                "rows " + count.applyAsLong(recovered));

        RestoreToolRun diff = restoreTool("diff", table, recovered);
        ok &= report(step, "diff shows what copyback would restore", diff.exit() == 1, diff.lastLines(2));

        RestoreToolRun copyback = restoreTool("copyback", table, recovered, "--mode", "missing-rows", "--apply");
        ok &= report(step, "copyback --mode missing-rows --apply", copyback.exit() == 0, copyback.lastLines(2));

        ok &= report(step, "orders is restored exactly",
                count.applyAsLong(shortName) == rowsBefore && fingerprint.apply(shortName).equals(fingerprintBefore),
                "rows " + count.applyAsLong(shortName) + ", fingerprint " + fingerprint.apply(shortName).substring(0, 12));

        RestoreToolRun after = restoreTool("diff", table, recovered);
        ok &= report(step, "diff after copyback: no difference", after.exit() == 0, after.lastLines(1));

        dropQuietly(recovered);
        return ok;
    }

    private String flushSidecar() {
        try {
            DemoHttp sidecar = new DemoHttp("http://127.0.0.1:" + env.ports.sidecar());
            DemoHttp.Response r = sidecar.post("/flush", env.secrets.sidecarToken(), java.util.Map.of("tables", List.of()));
            return "HTTP " + r.status() + " durable up to " + r.text("lsn");
        } catch (Exception e) {
            return "POST /flush failed: " + e;
        }
    }

    private RestoreToolRun restoreTool(String... args) {
        return RestoreToolRun.run(env.configFile, args);
    }

    private boolean report(IntSupplier step, String what, boolean ok, String detail) {
        out.printf("[%d] %-62s %s  %s%n", step.getAsInt(), what, ok ? "OK  " : "FAIL", detail);
        return ok;
    }

    private void dropQuietly(String recovered) {
        try (Connection c = env.appAdminConnection(); Statement st = c.createStatement()) {
            // a name the scenario generated itself, never user input
            st.execute("DROP TABLE IF EXISTS public." + recovered);
        } catch (Exception ignored) {
            // leaving a recovered table behind is harmless
        }
    }
}
