package dev.backstop.restore;

import dev.backstop.snapshot.TableRef;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "copyback", mixinStandardHelpOptions = true,
        description = {"Print (or, with --apply, run) the SQL that copies a recovered table back into the live one, in "
                + "one transaction that locks the live table and aborts if any statement touches another number of "
                + "rows, or other rows, than counted now; printed SQL also records itself in the audit chain when it "
                + "commits. Modes: missing-rows (insert rows whose key is gone: undo a DELETE), upsert "
                + "(update changed rows, insert missing ones; re-adds dropped columns: undo UPDATE or DROP COLUMN), "
                + "replace (delete all live rows, insert all recovered rows: undo TRUNCATE; the only mode without a "
                + "primary key). If the live table was dropped, the recovered table is renamed to it.",
                "Exit codes: 0 printed/applied; 1 refused (no key for the mode, type mismatch) or the transaction "
                        + "aborted on a count; 2 bad usage; 5 database unavailable, or the connection broke while the "
                        + "COMMIT ran (it may have been applied: run diff)."})
final class CopybackCommand implements java.util.concurrent.Callable<Integer> {

    @ParentCommand
    RestoreCli parent;

    @Parameters(index = "0", paramLabel = "TABLE", description = "The live table (schema.table or table).")
    String tableName;

    @Parameters(index = "1", paramLabel = "RECOVERED", description = "The recovered table (name, or schema.name).")
    String recoveredName;

    @Option(names = "--mode", required = true, paramLabel = "MODE", description = "missing-rows, upsert or replace.")
    String mode;

    @Option(names = "--apply", description = "Run the SQL now instead of printing it.")
    boolean apply;

    @Override
    public Integer call() throws SQLException {
        Session session = parent.session();
        TableRef table = session.table(tableName);
        Copyback.Mode m = Copyback.Mode.parse(mode);
        Connection c = session.db();
        PrintWriter out = session.environment().out();
        Relation rec = Relation.recovered(c, table, recoveredName);
        String recSchema = rec.schema();
        String recName = rec.name();
        if (TableLoader.notValidated(c, recSchema, recName)) {
            throw new CheckFailedException("recovered table " + recSchema + "." + recName + " was never validated (its "
                    + "restore is running, was interrupted or failed validation): no copyback; restore again");
        }
        Optional<Relation> live = Relation.describe(c, table.schema(), table.name());
        Copyback.Script script;
        if (live.isEmpty()) {
            if (!recSchema.equals(table.schema())) {
                throw new CheckFailedException(table.qualifiedName() + " does not exist and the recovered table is in "
                        + "another schema: move it with ALTER TABLE .. SET SCHEMA first");
            }
            script = Copyback.rename(rec, table.schema(), table.name());
        } else if (!apply) {
            script = Copyback.script(c, new TableComparison(live.get(), rec), m);
        } else {
            script = null;
        }
        if (!apply) {
            out.print(script.text(session.config().stateSchema()));
            return ExitCode.OK;
        }
        String modeText = script != null ? "replace (rename)" : Copyback.label(m);
        PendingAudit audit = PendingAudit.begin(session, "copyback", "copyback", r -> {
            r.put("table", table.qualifiedName());
            r.put("recovered", recSchema + "." + recName);
            r.put("mode", modeText);
        }, "copyback");
        try {
            if (script != null) {
                Copyback.apply(c, script);
            } else {
                // Counted under the lock the script takes, in the transaction that applies it.
                script = Copyback.applyLocked(c, live.get(),
                        () -> Copyback.script(c, new TableComparison(live.get(), rec), m));
            }
        } catch (Copyback.CommitOutcomeUnknown e) {
            audit.end("outcome_unknown", c2 -> c2.put("error", e.getMessage()));
            throw new DatabaseException("copyback of " + table.qualifiedName() + " from " + recSchema + "." + recName
                    + ": " + e.getMessage() + ", so it may have been applied or not. See which with `backstop restore"
                    + " diff " + RestoreRun.cliArg(table) + " " + recName + "` before anything else. `--apply` measures"
                    + " the table again each time, so running it again applies only what is still missing or different"
                    + " (mode replace replaces the whole table again).", e);
        } catch (SQLException e) {
            boolean aborted = "P0001".equals(e.getSQLState());
            audit.end(aborted ? "aborted" : "error", c2 -> c2.put("error", e.getMessage()));
            if (aborted) {
                throw new CheckFailedException("copyback aborted, nothing was changed: " + e.getMessage());
            }
            throw new DatabaseException("copyback failed, nothing was changed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            audit.end("error", c2 -> c2.put("error", String.valueOf(e.getMessage())));
            throw e;
        }
        Copyback.Script ran = script;
        audit.end("applied", c2 -> {
            c2.put("summary", ran.summary());
            ran.statements().forEach(c2.putArray("statements")::add);
        });
        out.println("Applied copyback " + Copyback.label(script.mode()) + ": " + script.summary().lines().findFirst().orElse(""));
        audit.note().ifPresent(out::println);
        return ExitCode.OK;
    }
}
