package dev.backstop.restore;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.stream.Stream;

/** Shared steps of restore, group restore and drill: target resolution, naming, printing. */
final class RestoreRun {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

    private RestoreRun() {
    }

    /**
     * The LSN a target option names. {@code --at}: asks the sidecar to flush when TIME is later than the newest
     * recovery point (not captured yet). {@code --before-audit}: follows a request that went to approval to its
     * execution, printing one line on stderr.
     */
    static RestoreTarget target(TargetOptions t, Session session, VerifiedFiles files, TableRef table)
            throws IOException {
        if (t.lsn != null) {
            Lsn l = t.lsnValue();
            return new RestoreTarget(l, "at LSN " + l, null);
        }
        if (t.at != null) {
            return AtTime.resolve(session.catalog(), files, table, t.atInstant(), session.flusher(),
                    session.environment().clock().instant());
        }
        return AuditLookup.beforeAudit(session.db(), session.config().stateSchema(), t.beforeAudit, table,
                session.environment().err());
    }

    /** {@code {table}__{what}_{yyyyMMdd_HHmmss}}, refused if longer than PostgreSQL's 63-byte identifiers. */
    static String scratchName(String table, String what, Instant now) {
        String name = table + "__" + what + "_" + STAMP.format(now);
        if (name.getBytes(StandardCharsets.UTF_8).length > 63) {
            throw new ConfigException("the default name " + name + " is longer than 63 bytes: pass --into NAME");
        }
        return name;
    }

    /** A name cut to PostgreSQL's 63-byte identifier limit (on a character boundary). */
    static String truncateName(String name) {
        String n = name;
        while (n.getBytes(StandardCharsets.UTF_8).length > 63) {
            n = n.substring(0, n.length() - 1);
        }
        return n;
    }

    static Result<VerifiedManifest> require(Result<VerifiedManifest> r, TableRef table, Lsn lsn) {
        if (!r.ok()) {
            throw new CheckFailedException("no usable recovery point of " + table + " for " + lsn + ":\n  - "
                    + String.join("\n  - ", r.problems()));
        }
        return r;
    }

    static void printOutcome(PrintWriter out, Restorer.Outcome o, String targetDescription) {
        out.println("Table:            " + o.table());
        out.println("Target:           " + targetDescription);
        out.println("Recovery point:   " + o.manifest().manifest().recoveryPointId() + " (base "
                + o.manifest().manifest().baseLsn() + ", covers " + o.manifest().manifest().coveredLsn() + ")");
        out.println("Recovered table:  " + o.table().schema() + "." + o.recoveredName());
        out.println(String.format(java.util.Locale.ROOT, "Loaded:           %d rows, %d bytes read, %.2f s, %.0f rows/s",
                o.rows(), o.bytes(), o.seconds(), o.seconds() > 0 ? o.rows() / o.seconds() : 0.0));
        out.println("Timing:           " + o.timings());
        out.println("Validation:");
        for (String c : o.checks()) {
            out.println("  ok    " + c);
        }
        for (String p : o.problems()) {
            out.println("  FAIL  " + p);
        }
    }

    /** The table as a command-line argument of a printed command: its wire name, shell-quoted when it has quotes. */
    static String cliArg(TableRef table) {
        String w = table.wireName();
        return w.indexOf('"') < 0 ? w : shellQuote(w);
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    static Path tempDir() {
        try {
            return Files.createTempDirectory("backstop-restore-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is harmless
        }
    }
}
