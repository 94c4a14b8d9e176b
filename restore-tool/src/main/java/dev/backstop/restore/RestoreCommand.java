package dev.backstop.restore;

import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Rebuild a table as of a point in time into a NEW table {table}__recovered_{yyyyMMdd_HHmmss} "
                + "(never the original): verify every file (size, SHA-256, rows) before reading it, replay base + deltas "
                + "to the target, load with COPY, then validate (row count, primary key, fingerprint). Only if "
                + "validation passes, print copyback SQL (missing-rows, upsert, replace) for `copyback`. A target not "
                + "captured yet (seconds after the statement) makes the tool ask the sidecar to flush first (up to "
                + "35 s); if it cannot, the error gives the curl to run by hand.",
                "Exit codes: 0 restored and validated; 1 no usable recovery point, verification or validation failed "
                        + "(no SQL printed); 2 bad usage, or the target table exists; 3 object store unavailable; "
                        + "4 internal error; 5 database unavailable or a statement failed."})
final class RestoreCommand implements Callable<Integer> {

    @ParentCommand
    RestoreCli parent;

    @Parameters(index = "0", paramLabel = "TABLE", description = "schema.table, table (schema public) or db:schema.table")
    String tableName;

    @ArgGroup(exclusive = true, multiplicity = "1")
    TargetOptions target;

    @Option(names = "--into", paramLabel = "NAME", description = "Name of the new table (same schema). Default {table}__recovered_{yyyyMMdd_HHmmss} (UTC).")
    String into;

    @Option(names = "--dry-run", description = "Choose, verify and replay the recovery point, print what would be restored; create nothing.")
    boolean dryRun;

    @Option(names = "--recovery-point", paramLabel = "ID", description = "Use this recovery point (it must cover the target).")
    String recoveryPoint;

    @Option(names = "--mode", paramLabel = "MODE", split = ",",
            description = "Copyback modes to print: missing-rows, upsert, replace (default: every mode that applies).")
    List<String> modes;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "2",
            description = "Parallel COPY streams (connections) for the load and the validation (default 2).")
    int jobs;

    @Override
    public Integer call() throws Exception {
        Session session = parent.session();
        TableRef table = session.table(tableName);
        long startUptime = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
        long t0 = System.nanoTime();
        // The database connection (~0.1 s) is opened while the store client is built and the recovery point is
        // chosen and downloaded; its outcome, a failure included, is taken only after the delta files are verified,
        // where it was needed before.
        java.util.concurrent.CompletableFuture<Connection> db = dryRun ? null
                : java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    Connection conn = session.db();
                    try {
                        Restorer.requireUtf8(conn);
                    } catch (SQLException e) {
                        throw new DatabaseException("restore of " + table + ": " + e.getMessage(), e);
                    }
                    return conn;
                });
        String auditSchema = session.config().stateSchema();
        RecoveryPointCatalog catalog = session.catalog();
        DebugTimings.print("store client and catalog: %.3f s", (System.nanoTime() - t0) / 1e9);
        PrintWriter out = session.environment().out();
        Path work = RestoreRun.tempDir();
        try (VerifiedFiles files = new VerifiedFiles(session.store(), work)) {
            RestoreTarget t = RestoreRun.target(target, session, files, table);
            DebugTimings.print("target resolved: %.3f s", (System.nanoTime() - t0) / 1e9);
            Restorer restorer = new Restorer(catalog, session.store(), work, session.environment().clock(),
                    session::newConnection, jobs);
            VerifiedManifest vm = RestoreRun.require(restorer.choose(table, t, recoveryPoint, session.flusher()), table, t.lsn()).value();
            long t1 = System.nanoTime();
            // Base files are checked while the first ones load, each before it is read (a restore creates one new
            // table, dropped if a later file fails its check; a group verifies every member first).
            Restorer.Plan plan = restorer.prepareStreaming(vm, t.lsn(), files);
            if (dryRun) {
                out.println("Dry run: nothing was created.");
                out.println("Table:            " + table);
                out.println("Target:           " + t.description());
                out.println("Recovery point:   " + vm.manifest().recoveryPointId() + " (" + vm.key() + ")");
                Restorer.Counted counted = restorer.count(plan);
                out.println("Rows at target:   " + counted.rows());
                out.println("Fingerprint:      " + counted.fingerprint().sum());
                counted.checks().forEach(c -> out.println("  ok    " + c));
                return ExitCode.OK;
            }
            long c0 = System.nanoTime();
            Connection c;
            try {
                c = db.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw e;
            }
            DebugTimings.print("waited %.3f s for the database connection", (System.nanoTime() - c0) / 1e9);
            String name = into != null ? into : RestoreRun.scratchName(table.name(), "recovered",
                    session.environment().clock().instant());
            // The copyback counts are measured while the SQL fingerprint runs; printed only if validation passes.
            // With one integer key column, the counts come from the keys the load streamed (keys non-null).
            Restorer.Outcome o = restorer.load(c, plan, name, session.environment().progress(),
                    (conn, pk, keys) -> copybackText(conn, table, name, modes, pk, keys, auditSchema));
            RestoreRun.printOutcome(out, o, t.description());
            record(session, t.description(), o, null);
            if (!o.ok()) {
                out.println("Validation FAILED: no copyback SQL. The recovered table is left for inspection; drop it with:");
                out.println("  DROP TABLE " + Sql.qualified(table.schema(), name) + ";");
                return ExitCode.CHECK_FAILED;
            }
            long t2 = System.nanoTime();
            out.print(o.prepared() != null ? o.prepared() : copybackText(c, table, name, modes, null, null, auditSchema));
            if (Boolean.getBoolean("backstop.restore.debug")) {
                System.err.printf(java.util.Locale.ROOT, "[restore] JVM up %.2f s at start, target + choose %.2f s,"
                        + " copyback SQL %.2f s, JVM up %.2f s at the end%n", startUptime / 1e3, (t1 - t0) / 1e9,
                        (System.nanoTime() - t2) / 1e9, java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
                DebugTimings.printThreadCpu();
            }
            return ExitCode.OK;
        } finally {
            RestoreRun.deleteTree(work);
        }
    }

    /**
     * Records the restore in the gateway's audit chain (a new table in the protected database, and what it was built
     * from). Best effort: during an incident a restore must not wait for the audit, and it changes no existing table;
     * a record that fails is a warning.
     */
    static void record(Session session, String target, Restorer.Outcome o, String group) {
        java.util.UUID id = java.util.UUID.randomUUID();
        java.time.Instant now = session.environment().clock().instant();
        com.fasterxml.jackson.databind.node.ObjectNode record = ToolAudit.record("restore", id, now);
        record.put("table", o.table().qualifiedName());
        record.put("database", o.table().database());
        if (group != null) {
            record.put("group", group);
        }
        record.put("target", target);
        record.put("recovery_point_id", o.manifest().manifest().recoveryPointId());
        record.put("manifest_key", o.manifest().key());
        record.put("recovered", o.table().schema() + "." + o.recoveredName());
        record.put("rows", o.rows());
        com.fasterxml.jackson.databind.node.ArrayNode problems = record.putArray("problems");
        o.problems().forEach(problems::add);
        try {
            ToolAudit.append(session, id, now, "restore", record, o.ok() ? "validated" : "validation_failed");
        } catch (SQLException | RuntimeException e) {
            session.environment().err().println("warning: the restore of " + o.table() + " was not recorded in the"
                    + " audit: " + e.getMessage());
        }
    }

    /**
     * The copyback text; {@code primaryKey} non-null: the recovered table's key, before its constraint exists;
     * {@code recoveredKeys} non-null: that key's values, sorted, as the load streamed them (see {@link TableComparison});
     * {@code auditSchema}: where the printed SQL records itself ({@link HandRunAudit}).
     */
    static String copybackText(Connection c, TableRef table, String recoveredName, List<String> modes,
                               List<String> primaryKey, long[] recoveredKeys, String auditSchema) throws SQLException {
        java.io.StringWriter text = new java.io.StringWriter();
        PrintWriter w = new PrintWriter(text);
        printCopyback(w, c, table, recoveredName, modes, primaryKey, recoveredKeys, auditSchema);
        w.flush();
        return text.toString();
    }

    static void printCopyback(PrintWriter out, Connection c, TableRef table, String recoveredName, List<String> modes,
                              String auditSchema) throws SQLException {
        printCopyback(out, c, table, recoveredName, modes, null, null, auditSchema);
    }

    private static void printCopyback(PrintWriter out, Connection c, TableRef table, String recoveredName,
                                      List<String> modes, List<String> primaryKey, long[] recoveredKeys,
                                      String auditSchema) throws SQLException {
        Relation described = Relation.describe(c, table.schema(), recoveredName).orElseThrow();
        Relation rec = primaryKey == null ? described
                : new Relation(described.schema(), described.name(), described.columns(), List.copyOf(primaryKey));
        Optional<Relation> live = Relation.describe(c, table.schema(), table.name());
        out.println();
        if (live.isEmpty()) {
            out.println("-- " + table.qualifiedName() + " does not exist (dropped?). Apply with:");
            out.println("--   backstop restore copyback " + RestoreRun.cliArg(table) + " " + recoveredName + " --mode replace --apply");
            out.print(Copyback.rename(rec, table.schema(), table.name()).text(auditSchema));
            return;
        }
        // One comparison for every mode printed: the counts are measured once.
        TableComparison cmp = new TableComparison(live.get(), rec, recoveredKeys);
        List<String> problems = cmp.problems();
        if (!problems.isEmpty()) {
            out.println("-- No copyback SQL: " + String.join("; ", problems));
            return;
        }
        List<Copyback.Mode> wanted = modes == null || modes.isEmpty()
                ? (cmp.hasKey() ? List.of(Copyback.Mode.values()) : List.of(Copyback.Mode.REPLACE))
                : modes.stream().map(Copyback.Mode::parse).toList();
        for (Copyback.Mode m : wanted) {
            if (!cmp.hasKey() && m != Copyback.Mode.REPLACE) {
                out.println("-- mode " + m.label + ": not available (no primary key)");
                continue;
            }
            Copyback.Script script;
            try {
                script = Copyback.script(c, cmp, m);
            } catch (CheckFailedException refused) {
                out.println("-- mode " + m.label + ": not offered: " + refused.getMessage());
                continue;
            }
            out.println("-- ===== mode " + m.label + " (apply: backstop restore copyback " + RestoreRun.cliArg(table) + " "
                    + recoveredName + " --mode " + m.label + " --apply)");
            out.print(script.text(auditSchema));
            out.println();
        }
    }
}
