package dev.backstop.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.Verification;
import dev.backstop.snapshot.VerifiedManifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verify a recovery point end to end: latest.json and manifest checksums, quarantine, and "
                + "every listed file (downloaded: size, SHA-256 and Parquet row count; with --quick only HEAD: "
                + "size and ETag). Exit 1 if anything fails.")
final class VerifyCommand implements Callable<Integer> {

    @ParentCommand
    RestoreCli parent;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Parameters(index = "0", paramLabel = "TABLE", description = "schema.table, table or db:schema.table")
        String table;

        @Option(names = "--all", description = "Every table that has recovery points.")
        boolean all;
    }

    @Option(names = "--recovery-point", paramLabel = "ID",
            description = "Verify this recovery point instead of the latest (only with TABLE).")
    String recoveryPoint;

    @Option(names = "--quick", description = "Check files with HEAD requests (size, ETag) instead of downloading them.")
    boolean quick;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    /** One table's outcome. */
    record Outcome(TableRef table, String recoveryPointId, String level, List<ManifestFile> files,
                   List<String> problems) {
        boolean ok() {
            return problems.isEmpty();
        }
    }

    @Override
    public Integer call() {
        Session session = parent.session();
        if (recoveryPoint != null && target.all) {
            throw new ConfigException("--recovery-point needs a TABLE, not --all");
        }
        RecoveryPointCatalog catalog = session.catalog();
        List<TableRef> tables = target.all ? allTables(catalog) : List.of(session.table(target.table));
        PrintWriter out = session.environment().out();
        if (tables.isEmpty()) {
            String where = "s3://" + session.config().snapshots().bucket() + "/" + session.keys().tablesRoot();
            if (json) {
                out.println("{\"ok\":false,\"tables\":[],\"problems\":[\"no recovery points under " + where + "\"]}");
            } else {
                out.println("No recovery points under " + where + ": nothing verified.");
            }
            return ExitCode.CHECK_FAILED;
        }
        List<Outcome> outcomes = new ArrayList<>();
        Path workDir = tempDir();
        try {
            for (TableRef t : tables) {
                outcomes.add(verify(catalog, session, t, workDir));
            }
        } finally {
            deleteTree(workDir);
        }
        if (json) {
            out.println(toJson(outcomes));
        } else {
            print(out, outcomes);
        }
        return outcomes.stream().allMatch(Outcome::ok) ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }

    private List<TableRef> allTables(RecoveryPointCatalog catalog) {
        return catalog.listTables().stream()
                .filter(t -> parent.database == null || parent.database.equals(t.database()))
                .toList();
    }

    private Outcome verify(RecoveryPointCatalog catalog, Session session, TableRef table, Path workDir) {
        String level = quick ? "files-present" : "full";
        Result<VerifiedManifest> manifest = recoveryPoint == null
                ? catalog.latestManifest(table)
                : catalog.readManifest(session.keys().manifest(table, recoveryPoint));
        if (!manifest.ok()) {
            return new Outcome(table, recoveryPoint, level, List.of(), manifest.problems());
        }
        Manifest m = manifest.value().manifest();
        List<String> problems = new ArrayList<>();
        if (catalog.isQuarantined(table, m.recoveryPointId())) {
            problems.add("recovery point " + m.recoveryPointId() + " is quarantined");
        }
        Verification files = quick ? catalog.verifyFilesPresent(m) : catalog.verifyFull(m, workDir);
        problems.addAll(files.problems());
        return new Outcome(table, m.recoveryPointId(), level, m.files(), problems);
    }

    private static void print(PrintWriter out, List<Outcome> outcomes) {
        int failed = 0;
        for (Outcome o : outcomes) {
            String rp = o.recoveryPointId() == null ? "(no usable recovery point)" : o.recoveryPointId();
            if (o.ok()) {
                long bytes = o.files().stream().mapToLong(f -> f.bytes() == null ? 0 : f.bytes()).sum();
                out.println("OK      " + o.table() + "  " + rp + "  (" + o.level() + ": " + o.files().size()
                        + " files, " + bytes + " bytes)");
            } else {
                failed++;
                out.println("FAILED  " + o.table() + "  " + rp + "  (" + o.level() + ")");
                for (String p : o.problems()) {
                    out.println("  - " + p);
                }
            }
        }
        out.println(outcomes.size() - failed + " of " + outcomes.size() + " verified"
                + (failed == 0 ? "." : "; " + failed + " FAILED."));
    }

    private static String toJson(List<Outcome> outcomes) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("ok", outcomes.stream().allMatch(Outcome::ok));
        ArrayNode tables = root.putArray("tables");
        for (Outcome o : outcomes) {
            ObjectNode n = tables.addObject();
            n.put("table", o.table().qualifiedName());
            n.put("database", o.table().database());
            n.put("recovery_point_id", o.recoveryPointId());
            n.put("level", o.level());
            n.put("ok", o.ok());
            n.put("files", o.files().size());
            ArrayNode problems = n.putArray("problems");
            o.problems().forEach(problems::add);
        }
        return root.toString();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("backstop-verify-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is harmless
        }
    }
}
