package dev.backstop.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backstop.alerts.Alert;
import dev.backstop.alerts.AlertEvent;
import dev.backstop.alerts.AlertSink;
import dev.backstop.alerts.WebhookAlertSink;
import dev.backstop.alerts.WebhookSettings;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.store.ObjectStoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "drill", mixinStandardHelpOptions = true,
        description = {"Restore drill: restore each table's latest recovery point into a scratch table "
                + "{table}__drill_{stamp}, validate it exactly as a restore does, drop it, and report per table. "
                + "The result is one JSON line (--json), optionally a Prometheus textfile (--textfile), and a "
                + "drill_failed alert to the configured webhook on failure.",
                "Exit codes: 0 every drill passed; 1 a drill failed (including S3 or database unavailable); 2 bad usage."})
final class DrillCommand implements Callable<Integer> {

    @ParentCommand
    RestoreCli parent;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which {
        @Parameters(index = "0", paramLabel = "TABLE")
        String table;

        @Option(names = "--all", description = "Every table with recovery points.")
        boolean all;
    }

    @Option(names = "--json", description = "Print only the result as one JSON line.")
    boolean json;

    @Option(names = "--textfile", paramLabel = "FILE", description = "Also write Prometheus textfile metrics here.")
    Path textfile;

    record Result1(TableRef table, String recoveryPointId, long rows, double seconds, List<String> problems) {
        boolean ok() {
            return problems.isEmpty();
        }
    }

    @Override
    public Integer call() {
        Session session = parent.session();
        PrintWriter out = session.environment().out();
        Instant started = session.environment().clock().instant();
        List<Result1> results = new ArrayList<>();
        List<TableRef> tables;
        try {
            RecoveryPointCatalog catalog = session.catalog();
            tables = which.all ? catalog.listTables().stream()
                    .filter(t -> parent.database == null || parent.database.equals(t.database())).toList()
                    : List.of(session.table(which.table));
        } catch (ObjectStoreException e) {
            tables = which.all ? List.of() : List.of(session.table(which.table));
            results.add(new Result1(tables.isEmpty() ? null : tables.get(0), null, 0, 0,
                    List.of("object store unavailable: " + e.getMessage())));
            tables = List.of();
        }
        if (tables.isEmpty() && results.isEmpty()) {
            results.add(new Result1(null, null, 0, 0, List.of("no tables with recovery points")));
        }
        for (TableRef t : tables) {
            results.add(drill(session, t));
        }
        Object audit = audit(session, results, started);
        boolean ok = results.stream().allMatch(Result1::ok);
        ObjectNode result = json(results, ok, started);
        if (audit instanceof Long seq) {
            result.put("audit_seq", seq);
        } else if (audit instanceof String note) {
            result.put("audit", note);
        }
        String line = result.toString();
        if (json) {
            out.println(line);
        } else {
            for (Result1 r : results) {
                String name = r.table() == null ? "(none)" : r.table().toString();
                if (r.ok()) {
                    out.println(String.format(Locale.ROOT, "PASS  %s  %s  (%d rows, %.2f s)", name, r.recoveryPointId(),
                            r.rows(), r.seconds()));
                } else {
                    out.println("FAIL  " + name + "  " + (r.recoveryPointId() == null ? "-" : r.recoveryPointId()));
                    r.problems().forEach(p -> out.println("  - " + p));
                }
            }
            out.println("drill: " + (ok ? "passed" : "FAILED"));
            out.println(line);
        }
        if (textfile != null) {
            writeTextfile(results, session.environment().clock().instant());
        }
        if (!ok) {
            alert(session, results);
        }
        return ok ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }

    private Result1 drill(Session session, TableRef table) {
        long t0 = System.nanoTime();
        Path work = RestoreRun.tempDir();
        String rp = null;
        try {
            RecoveryPointCatalog catalog = session.catalog();
            Result<VerifiedManifest> latest = catalog.latestManifest(table);
            if (!latest.ok()) {
                return new Result1(table, null, 0, 0, latest.problems());
            }
            Manifest m = latest.value().manifest();
            rp = m.recoveryPointId();
            if (catalog.isQuarantined(table, rp)) {
                return new Result1(table, rp, 0, 0, List.of("latest recovery point " + rp + " is quarantined"));
            }
            // One COPY stream: a drill runs next to production work and need not be fast.
            Restorer restorer = new Restorer(catalog, session.store(), work, session.environment().clock(),
                    session::newConnection, 1);
            Restorer.Plan plan;
            try (VerifiedFiles files = new VerifiedFiles(session.store(), work)) {
                plan = restorer.prepare(latest.value(), m.coveredLsn(), files); // every file checked on return
            }
            Connection c = session.db();
            Restorer.requireUtf8(c);
            String name = RestoreRun.scratchName(table.name(), "drill", session.environment().clock().instant());
            if (TableLoader.exists(c, table.schema(), name)) {
                // Another drill of this table started in the same second: its table is not ours to drop.
                return new Result1(table, rp, 0, 0, List.of("scratch table " + table.schema() + "." + name
                        + " already exists (another drill running?); not touched"));
            }
            // Dropped only once the load made it (a load that fails drops what it created itself; one refused
            // because the name is taken created nothing).
            // Unlogged: the scratch table is dropped right after, and its rows cost the server no WAL.
            Restorer.Outcome o = restorer.loadScratch(c, plan, name);
            TableLoader.drop(c, table.schema(), name);
            return new Result1(table, rp, o.rows(), (System.nanoTime() - t0) / 1e9, o.problems());
        } catch (CheckFailedException | RefusedException | DatabaseException | ConfigException e) {
            return new Result1(table, rp, 0, 0, List.of(e.getMessage()));
        } catch (ObjectStoreException e) {
            return new Result1(table, rp, 0, 0, List.of("object store unavailable: " + e.getMessage()));
        } catch (IOException | SQLException | RuntimeException e) {
            return new Result1(table, rp, 0, 0, List.of("drill error: " + e));
        } finally {
            RestoreRun.deleteTree(work);
        }
    }

    private static ObjectNode json(List<Result1> results, boolean ok, Instant at) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("event", "restore_drill");
        root.put("at", at.toString());
        root.put("ok", ok);
        ArrayNode tables = root.putArray("tables");
        for (Result1 r : results) {
            ObjectNode n = tables.addObject();
            n.put("table", r.table() == null ? null : r.table().qualifiedName());
            n.put("database", r.table() == null ? null : r.table().database());
            n.put("recovery_point_id", r.recoveryPointId());
            n.put("ok", r.ok());
            n.put("rows", r.rows());
            n.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
            ArrayNode p = n.putArray("problems");
            r.problems().forEach(p::add);
        }
        return root;
    }

    /**
     * Records the drill's result in the gateway's hash-chained audit ({@code {stateSchema}.audit}, principal
     * {@code restore-tool}, decision {@code drill}, outcome passed or failed), so the audit shows every restore drill
     * run against this database next to every statement. Returns the record's sequence number, or a note when the
     * database has no audit table; a record that cannot be written becomes one more problem of the drill (it fails).
     */
    private Object audit(Session session, List<Result1> results, Instant started) {
        boolean ok = results.stream().allMatch(Result1::ok);
        UUID id = UUID.randomUUID();
        ObjectNode record = ToolAudit.record("restore_drill", id, started);
        record.setAll(json(results, ok, started));
        try {
            Optional<Long> seq = ToolAudit.append(session, id, started, "drill", record, ok ? "passed" : "failed");
            return seq.isPresent() ? seq.get() : "not recorded: " + ToolAudit.notRecorded(session);
        } catch (SQLException | RuntimeException e) { // DatabaseException too: no connection
            results.add(new Result1(null, null, 0, 0, List.of("audit record not written: " + e.getMessage())));
            return null;
        }
    }

    private void writeTextfile(List<Result1> results, Instant now) {
        StringBuilder b = new StringBuilder();
        b.append("# HELP backstop_restore_drill_success 1 if the last restore drill of the table passed.\n");
        b.append("# TYPE backstop_restore_drill_success gauge\n");
        for (Result1 r : results) {
            String t = r.table() == null ? "" : r.table().qualifiedName().replace("\\", "\\\\").replace("\"", "\\\"");
            b.append("backstop_restore_drill_success{table=\"").append(t).append("\"} ").append(r.ok() ? 1 : 0).append('\n');
        }
        b.append("# HELP backstop_restore_drill_last_run_timestamp_seconds When the last drill finished.\n");
        b.append("# TYPE backstop_restore_drill_last_run_timestamp_seconds gauge\n");
        b.append("backstop_restore_drill_last_run_timestamp_seconds ").append(now.getEpochSecond()).append('\n');
        try {
            Path tmp = textfile.resolveSibling(textfile.getFileName() + ".tmp");
            Files.writeString(tmp, b.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, textfile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            parent.environment().err().println("warning: cannot write " + textfile + ": " + e.getMessage());
        }
    }

    private void alert(Session session, List<Result1> results) {
        String url = session.config().alertWebhookUrl();
        if (url == null || url.isBlank()) {
            return;
        }
        try (AlertSink sink = WebhookAlertSink.start(WebhookSettings.defaults(URI.create(url)))) {
            for (Result1 r : results) {
                if (!r.ok()) {
                    sink.send(Alert.builder(AlertEvent.DRILL_FAILED, session.environment().clock().instant())
                            .source("restore-tool")
                            .table(r.table() == null ? null : r.table().qualifiedName())
                            .summary("restore drill failed: " + String.join("; ", r.problems()))
                            .detail("recovery_point_id", r.recoveryPointId())
                            .build());
                }
            }
        } catch (RuntimeException e) {
            parent.environment().err().println("warning: drill alert not sent: " + e.getMessage());
        }
    }
}
