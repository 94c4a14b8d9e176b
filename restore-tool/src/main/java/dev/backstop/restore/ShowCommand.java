package dev.backstop.restore;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.QuarantineMarker;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.RecoveryPointRef;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.TableRef;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = "A table's latest recovery point in detail (columns, primary key, source, files) and every "
                + "recovery point it has; runs of keep-alive points (the sidecar writes one every flush interval "
                + "while the table does not change: same files, only the covered LSN moved) are one line unless "
                + "--all. Exit 1 if the table has no usable latest recovery point.")
final class ShowCommand implements Callable<Integer> {

    @ParentCommand
    RestoreCli parent;

    @Parameters(index = "0", paramLabel = "TABLE", description = "schema.table, table (schema public) or db:schema.table")
    String tableName;

    @Option(names = "--all", description = "List every recovery point, keep-alive points included.")
    boolean all;

    @Override
    public Integer call() {
        Session session = parent.session();
        TableRef table = session.table(tableName);
        RecoveryPointCatalog catalog = session.catalog();
        PrintWriter out = session.environment().out();
        Instant now = session.environment().clock().instant();

        List<RecoveryPointRef> points = catalog.listRecoveryPoints(table);
        TableSummary summary = TableSummary.of(catalog, table);
        if (points.isEmpty() && summary.latest() == null) {
            out.println("No recovery point for " + table + " under s3://" + session.config().snapshots().bucket()
                    + "/" + session.keys().tableRoot(table));
            return ExitCode.CHECK_FAILED;
        }
        out.println("Table:           " + table);
        out.println("Status:          " + summary.status().label);
        for (String p : summary.problems()) {
            out.println("  - " + p);
        }
        Manifest m = summary.latest();
        if (m != null) {
            printManifest(out, m, summary.manifestKey(), now);
        }
        Map<String, QuarantineMarker> quarantined = new HashMap<>();
        for (QuarantineMarker q : catalog.listQuarantine(table)) {
            quarantined.put(q.recoveryPointId(), q);
        }
        String latestId = m != null ? m.recoveryPointId() : null;
        boolean[] keepAlive = all ? new boolean[points.size()]
                : KeepAlivePoints.find(session.store(), catalog, table, points,
                        id -> id.equals(latestId) || quarantined.containsKey(id));
        out.println("Recovery points (oldest first):");
        TextTable t = new TextTable("  RECOVERY POINT", "COVERED LSN", "NOTE");
        for (int i = 0; i < points.size(); i++) {
            RecoveryPointRef p = points.get(i);
            if (keepAlive[i]) {
                int last = i;
                while (last + 1 < points.size() && keepAlive[last + 1]) {
                    last++;
                }
                int n = last - i + 1;
                RecoveryPointRef end = points.get(last);
                Instant at = SnapshotKeys.createdAtOfId(end.recoveryPointId()).orElse(null);
                t.addLine("  ... and " + n + " keep-alive point" + (n == 1 ? "" : "s") + " up to " + end.coveredLsn()
                        + (at == null ? "" : " at " + Formats.instant(at)) + " (--all lists each)");
                i = last;
                continue;
            }
            String note = p.recoveryPointId().equals(latestId) ? "latest" : "";
            QuarantineMarker q = quarantined.get(p.recoveryPointId());
            if (q != null) {
                note = (note.isEmpty() ? "" : note + ", ") + "quarantined by " + q.quarantinedBy() + " at "
                        + Formats.instant(q.quarantinedAt()) + ": " + q.reason();
            }
            t.add("  " + p.recoveryPointId(), p.coveredLsn().toString(), note);
        }
        t.print(out);
        return summary.status() == TableSummary.Status.OK ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }

    private static void printManifest(PrintWriter out, Manifest m, String key, Instant now) {
        out.println("Latest:          " + m.recoveryPointId());
        out.println("Manifest:        " + key + " (sha256 " + m.manifestSha256() + ")");
        out.println("Covered LSN:     " + m.coveredLsn() + " (commit time " + Formats.instant(m.coveredCommitTime()) + ")");
        out.println("Created:         " + Formats.instant(m.createdAt()) + " (" + Formats.age(m.createdAt(), now) + " ago)");
        out.println("Base snapshot:   " + m.baseSnapshotId() + " at LSN " + m.baseLsn());
        if (m.source() != null) {
            out.println("Source:          database " + m.source().database() + ", system id "
                    + m.source().systemIdentifier() + ", timeline " + m.source().timeline() + ", sidecar "
                    + m.source().sidecarId() + ", slot " + m.source().slotName());
        }
        out.println("Total rows:      " + (m.totalRows() == null ? "unknown (unverified)" : m.totalRows()));
        out.println("Primary key:     " + (m.primaryKey().isEmpty() ? "(none)" : String.join(", ", m.primaryKey())));
        out.println("Columns:");
        TextTable cols = new TextTable("  NAME", "TYPE", "NULL");
        for (ColumnSpec c : m.columns()) {
            cols.add("  " + c.name(), c.pgType(), c.nullable() ? "null" : "not null");
        }
        cols.print(out);
        out.println("Files:");
        TextTable files = new TextTable("  KIND", "KEY", "BYTES", "ROWS", "LSN RANGE");
        for (ManifestFile f : m.files()) {
            files.add("  " + f.kind().name().toLowerCase(java.util.Locale.ROOT), f.key(), Formats.orDash(f.bytes()),
                    Formats.orDash(f.rows()), Formats.orDash(f.minLsn()) + ".." + Formats.orDash(f.maxLsn()));
        }
        files.print(out);
    }
}
