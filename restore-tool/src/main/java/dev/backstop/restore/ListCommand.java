package dev.backstop.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.TableRef;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Tables that have recovery points, with their latest point and its state "
                + "(latest.json and manifest checksums are checked; data files are not: use verify).")
final class ListCommand implements Callable<Integer> {

    @ParentCommand
    RestoreCli parent;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    @Override
    public Integer call() {
        Session session = parent.session();
        RecoveryPointCatalog catalog = session.catalog();
        List<TableSummary> summaries = new ArrayList<>();
        for (TableRef t : catalog.listTables()) {
            if (parent.database == null || parent.database.equals(t.database())) {
                summaries.add(TableSummary.of(catalog, t));
            }
        }
        Instant now = session.environment().clock().instant();
        PrintWriter out = session.environment().out();
        if (json) {
            out.println(toJson(summaries));
        } else if (summaries.isEmpty()) {
            out.println("No recovery points under s3://" + session.config().snapshots().bucket() + "/"
                    + session.keys().tablesRoot());
        } else {
            TextTable table = new TextTable("TABLE", "STATUS", "LATEST RECOVERY POINT", "COVERED LSN",
                    "COMMIT TIME", "CREATED", "ROWS", "POINTS");
            for (TableSummary s : summaries) {
                boolean has = s.latest() != null;
                table.add(s.table().toString(), s.status().label,
                        has ? s.latest().recoveryPointId() : "-",
                        has ? s.latest().coveredLsn().toString() : "-",
                        has ? Formats.instant(s.latest().coveredCommitTime()) : "-",
                        has ? Formats.age(s.latest().createdAt(), now) + " ago" : "-",
                        has ? Formats.orDash(s.latest().totalRows()) : "-",
                        Integer.toString(s.recoveryPoints()));
            }
            table.print(out);
            for (TableSummary s : summaries) {
                for (String p : s.problems()) {
                    out.println(s.table() + ": " + p);
                }
            }
        }
        return ExitCode.OK;
    }

    private static String toJson(List<TableSummary> summaries) {
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode tables = mapper.createArrayNode();
        for (TableSummary s : summaries) {
            ObjectNode n = tables.addObject();
            n.put("table", s.table().qualifiedName());
            n.put("database", s.table().database());
            n.put("status", s.status().label);
            n.put("recovery_points", s.recoveryPoints());
            if (s.latest() != null) {
                n.put("recovery_point_id", s.latest().recoveryPointId());
                n.put("manifest_key", s.manifestKey());
                n.put("covered_lsn", s.latest().coveredLsn().toString());
                n.put("covered_commit_time", Formats.orDash(s.latest().coveredCommitTime()));
                n.put("created_at", Formats.orDash(s.latest().createdAt()));
                if (s.latest().totalRows() != null) {
                    n.put("total_rows", s.latest().totalRows());
                }
            }
            ArrayNode problems = n.putArray("problems");
            s.problems().forEach(problems::add);
        }
        ObjectNode root = mapper.createObjectNode();
        root.set("tables", tables);
        return root.toString();
    }
}
