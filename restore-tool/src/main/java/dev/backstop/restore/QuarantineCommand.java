package dev.backstop.restore;

import dev.backstop.snapshot.QuarantineMarker;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.TableRef;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code quarantine} and {@code unquarantine}: a marker object in S3 that makes the gate and restores skip a point. */
final class QuarantineCommand {
    private QuarantineCommand() {
    }

    /**
     * Who quarantines: {@code --by}, else {@code $USER}, else the operating system's user name (the JVM's
     * {@code user.name}, which does not depend on the environment). Neither known: refused, never a made-up name.
     */
    static String operator(Session s, String by) {
        if (by != null && !by.isBlank()) {
            return by;
        }
        String user = s.environment().env().get("USER");
        if (user != null && !user.isBlank()) {
            return user;
        }
        String os = System.getProperty("user.name");
        if (os != null && !os.isBlank() && !os.equals("?")) {
            return os;
        }
        throw new ConfigException("--by NAME is needed: $USER is not set and the operating system's user name is unknown");
    }

    /** What both commands take: the recovery point, why, and who. */
    static final class Marker {
        @Parameters(index = "0", paramLabel = "TABLE")
        String tableName;

        @Parameters(index = "1", paramLabel = "RECOVERY_POINT")
        String recoveryPoint;

        @Option(names = "--reason", required = true, paramLabel = "TEXT")
        String reason;

        @Option(names = "--by", paramLabel = "NAME",
                description = "Who does it (default: $USER, else the operating system's user name).")
        String by;

        String reason() {
            if (reason.isBlank()) {
                throw new ConfigException("--reason must not be empty");
            }
            return reason;
        }
    }

    /** The audit record's fields of a quarantine or its lifting. */
    private static void fields(com.fasterxml.jackson.databind.node.ObjectNode r, TableRef table, String point,
                               String reason, String by) {
        r.put("table", table.qualifiedName());
        r.put("database", table.database());
        r.put("recovery_point_id", point);
        r.put("reason", reason);
        r.put("by", by);
    }

    @Command(name = "quarantine", mixinStandardHelpOptions = true,
            description = "Mark a recovery point as not to be used (the gateway's not_quarantined check fails on it, "
                    + "restores skip it, retention keeps its files). Exit 1 if the recovery point does not exist.")
    static final class Add implements Callable<Integer> {
        @ParentCommand
        RestoreCli parent;

        @Mixin
        Marker marker;

        @Override
        public Integer call() {
            Session s = parent.session();
            TableRef table = s.table(marker.tableName);
            String point = marker.recoveryPoint;
            RecoveryPointCatalog catalog = s.catalog();
            if (s.store().head(s.keys().manifest(table, point)).isEmpty()) {
                throw new CheckFailedException("no recovery point " + point + " of " + table);
            }
            String reason = marker.reason();
            QuarantineMarker m = new QuarantineMarker(1, table, point, reason, operator(s, marker.by),
                    s.environment().clock().instant());
            catalog.putQuarantine(m);
            s.environment().out().println("Quarantined " + table + " " + point + " (by " + m.quarantinedBy()
                    + "): " + reason);
            // Recorded after the marker is in place: taking trust away must work even when the audit cannot be
            // written (the failure is reported; lifting a quarantine, below, is refused without its record).
            java.util.UUID id = java.util.UUID.randomUUID();
            java.time.Instant now = s.environment().clock().instant();
            com.fasterxml.jackson.databind.node.ObjectNode record = ToolAudit.record("quarantine", id, now);
            fields(record, table, point, reason, m.quarantinedBy());
            try {
                if (ToolAudit.append(s, id, now, "quarantine", record, "quarantined").isEmpty()) {
                    s.environment().out().println("Not recorded in the audit: " + ToolAudit.notRecorded(s) + ".");
                }
            } catch (java.sql.SQLException | RuntimeException e) {
                s.environment().err().println("warning: the quarantine is in effect, but its audit record was not "
                        + "written: " + e.getMessage());
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "unquarantine", mixinStandardHelpOptions = true,
            description = "Lift a quarantine (deletes the marker). Exit 1 if the recovery point was not quarantined.")
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        RestoreCli parent;

        @Mixin
        Marker marker;

        @Override
        public Integer call() {
            Session s = parent.session();
            TableRef table = s.table(marker.tableName);
            String point = marker.recoveryPoint;
            RecoveryPointCatalog catalog = s.catalog();
            if (!catalog.isQuarantined(table, point)) {
                throw new CheckFailedException(table + " " + point + " is not quarantined");
            }
            String reason = marker.reason();
            String who = operator(s, marker.by);
            // Recorded before the marker goes: trust given back to a recovery point is never unrecorded.
            PendingAudit audit = PendingAudit.begin(s, "unquarantine", "unquarantine",
                    r -> fields(r, table, point, reason, who), "unquarantine");
            try {
                catalog.removeQuarantine(table, point);
            } catch (RuntimeException e) {
                audit.end("error", c -> c.put("error", String.valueOf(e.getMessage())));
                throw e;
            }
            audit.end("lifted", c -> { });
            s.environment().out().println("Unquarantined " + table + " " + point + " (by " + who + "): " + reason);
            audit.note().ifPresent(s.environment().out()::println);
            return ExitCode.OK;
        }
    }
}
