package dev.backstop.demo;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.Statement;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The recovery half of the incident scenario, done exactly as the runbook (docs/operations.md) tells an
 * operator: restore into a new table as of just before the audited statement (given the audit id the agent
 * got back), look at the diff, apply the copyback SQL, check that nothing differs any more, drop the
 * recovered table.
 */
final class ScenarioRestore {
    private static final Pattern RECOVERED = Pattern.compile("Recovered table:  public\\.(\\S+)");
    private final DemoEnvironment env;
    private final PrintStream out;

    ScenarioRestore(DemoEnvironment env, PrintStream out) {
        this.env = env;
        this.out = out;
    }

    /**
     * @param requestAuditId   the audit id the agent got for its held request (what the restore is given)
     * @param executionAuditId the audit id of the approved execution (the one the tool must follow to)
     */
    boolean restoreAndCopyBack(String table, String requestAuditId, String executionAuditId, long rowsBefore,
                               String fingerprintBefore, ToLongFunction<String> count, Function<String, String> fingerprint,
                               IntSupplier step) {
        String shortName = table.substring(table.indexOf('.') + 1);
        boolean ok = true;

        // Run seconds after the DELETE: the tool asks the sidecar to flush when the statement is not captured yet,
        // and names the new table as every restore does, {table}__recovered_{yyyyMMdd_HHmmss}.
        RestoreToolRun restore = restoreTool("restore", table, "--before-audit", requestAuditId);
        Matcher named = RECOVERED.matcher(restore.out());
        String recovered = named.find() ? named.group(1) : null;
        boolean followed = restore.err().contains("Following approval ")
                && restore.err().contains("restoring before audit record " + executionAuditId);
        ok &= report(step, "restore " + table + " --before-audit <the agent's request id>",
                restore.exit() == 0 && restore.out().contains("BEGIN") && followed,
                "exit " + restore.exit() + "; " + (restore.exit() == 0 ? restore.err().strip().replace("\n", " | ")
                        : restore.lastLines(4)));
        if (restore.exit() != 0 || recovered == null) {
            return false;
        }
        ok &= report(step, "recovered table has the standard name", recovered.matches(shortName
                + "__recovered_\\d{8}_\\d{6}"), recovered);
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
