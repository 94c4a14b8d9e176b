package dev.backstop.restore;

import dev.backstop.snapshot.TableRef;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Compare the live table with a recovered one: rows missing from the live table, extra in it, and "
                + "changed, by the recovered table's primary key (without one: whole rows as multisets), with counts and "
                + "a few examples. Exit 0 if identical, 1 if they differ, 5 on database errors.")
final class DiffCommand implements Callable<Integer> {

    @ParentCommand
    RestoreCli parent;

    @Parameters(index = "0", paramLabel = "TABLE")
    String tableName;

    @Parameters(index = "1", paramLabel = "RECOVERED")
    String recoveredName;

    @Option(names = "--examples", paramLabel = "N", description = "Examples per kind (default 5).")
    int examples = 5;

    @Override
    public Integer call() throws SQLException {
        Session session = parent.session();
        TableRef table = session.table(tableName);
        Connection c = session.db();
        PrintWriter out = session.environment().out();
        Relation rec = Relation.recovered(c, table, recoveredName);
        Optional<Relation> live = Relation.describe(c, table.schema(), table.name());
        if (live.isEmpty()) {
            out.println(table.qualifiedName() + " does not exist: all " + TableComparison.count(c, "SELECT count(*) FROM "
                    + rec.qualified()) + " recovered rows are missing (copyback renames the recovered table).");
            return ExitCode.CHECK_FAILED;
        }
        TableComparison cmp = new TableComparison(live.get(), rec);
        List<String> problems = cmp.problems();
        if (!problems.isEmpty()) {
            problems.forEach(p -> out.println("cannot compare: " + p));
            return ExitCode.CHECK_FAILED;
        }
        TableComparison.Counts n = cmp.counts(c);
        out.println("live " + live.get().display() + ": " + n.liveRows() + " rows; recovered " + rec.display() + ": "
                + n.recoveredRows() + " rows; compared by " + (cmp.hasKey() ? "primary key ("
                + String.join(", ", rec.primaryKey()) + ")" : "whole rows (no primary key)"));
        if (!cmp.missingInLive.isEmpty()) {
            out.println("columns missing from the live table (compared as NULL): "
                    + String.join(", ", cmp.missingInLive.stream().map(Relation.Column::name).toList()));
        }
        print(out, "missing", n.missing(), "in recovered, not in live", cmp.examples(c, "missing", examples));
        print(out, "extra", n.extra(), "in live, not in recovered", cmp.examples(c, "extra", examples));
        if (cmp.hasKey()) {
            print(out, "changed", n.changed(), "same key, other values (live -> recovered)", cmp.examples(c, "changed", examples));
        }
        return n.missing() == 0 && n.extra() == 0 && n.changed() == 0 && cmp.missingInLive.isEmpty()
                ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }

    private static void print(PrintWriter out, String kind, long count, String meaning, List<String> examples) {
        out.println(String.format("%-8s %d (%s)", kind + ":", count, meaning));
        for (String e : examples) {
            out.println("  " + e);
        }
    }
}
