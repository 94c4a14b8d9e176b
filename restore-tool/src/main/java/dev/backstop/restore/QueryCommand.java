package dev.backstop.restore;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.parquet.RowFileWriter;
import dev.backstop.snapshot.parquet.TableRebuilder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code restore query TABLE "SQL" [--at TIME | --lsn LSN | --before-audit ID]}: snapshot browsing. The
 * recovery point's files are verified (full SHA-256), the table is rebuilt as of the target, and the SQL runs
 * over it in an in-memory DuckDB, where the table is the view {@code t}. Nothing touches PostgreSQL unless the
 * target is an audit id. The rebuilt table is held in memory while it is written to a local Parquet file.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = "Run SQL (DuckDB dialect) over a table as of a recovery point; the table is the view `t`.",
        footer = {"", "Examples:",
            "  backstop restore query public.orders \"SELECT status, count(*) FROM t GROUP BY status\"",
            "  backstop restore query public.orders \"SELECT * FROM t WHERE id = 42\" --at 2026-11-26T09:40:00Z",
            "Exit codes: 0 done; 1 no usable recovery point or a file failed verification; 2 bad usage or SQL error;",
            "3 object store unavailable; 4 internal error; 5 database unavailable (--before-audit)."})
final class QueryCommand implements Callable<Integer> {

    @ParentCommand
    RestoreCli parent;

    @Parameters(index = "0", paramLabel = "TABLE", description = "schema.table, table (schema public) or db:schema.table")
    String tableName;

    @Parameters(index = "1", paramLabel = "SQL", description = "The query; the table is the view t.")
    String sql;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    TargetOptions target;

    @Option(names = "--max-rows", paramLabel = "N", defaultValue = "1000", description = "Print at most N rows (default 1000).")
    int maxRows;

    @Override
    public Integer call() throws Exception {
        Session session = parent.session();
        TableRef table = session.table(tableName);
        RecoveryPointCatalog catalog = session.catalog();
        PrintWriter out = session.environment().out();
        Path work = RestoreRun.tempDir();
        try (VerifiedFiles files = new VerifiedFiles(session.store(), work)) {
            Lsn lsn;
            Result<VerifiedManifest> chosen;
            if (target == null) {
                chosen = catalog.latestManifest(table);
                lsn = chosen.ok() ? chosen.value().manifest().coveredLsn() : null;
            } else {
                RestoreTarget t = RestoreRun.target(target, session, files, table);
                lsn = t.lsn();
                chosen = Restorer.choose(catalog, table, new RestoreTarget(lsn, t.description(), null), null,
                        session.flusher());
            }
            if (!chosen.ok()) {
                throw new CheckFailedException("no usable recovery point of " + table + ": " + String.join("; ", chosen.problems()));
            }
            List<String> problems = files.downloadAll(chosen.value().manifest());
            if (!problems.isEmpty()) {
                throw new CheckFailedException("recovery point " + chosen.value().manifest().recoveryPointId()
                        + " failed verification: " + String.join("; ", problems));
            }
            TableRebuilder.RebuiltTable rebuilt = TableRebuilder.rebuild(chosen.value().manifest(), files, lsn);
            Path parquet = work.resolve("t.parquet");
            try (RowFileWriter w = RowFileWriter.base(parquet, rebuilt.columns())) {
                for (Object[] row : rebuilt.rows()) {
                    w.writeRow(row);
                }
            }
            session.environment().err().println("-- " + table + " at " + lsn + " (recovery point "
                    + chosen.value().manifest().recoveryPointId() + ", " + rebuilt.rows().size() + " rows)");
            return runQuery(parquet, out);
        } finally {
            RestoreRun.deleteTree(work);
        }
    }

    private int runQuery(Path parquet, PrintWriter out) throws Exception {
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
            // The path is our own temporary file; quotes doubled all the same.
            st.execute("CREATE VIEW t AS SELECT * FROM read_parquet('" + parquet.toString().replace("'", "''") + "')");
            ResultSet rs;
            try {
                rs = st.executeQuery(sql);
            } catch (java.sql.SQLException e) {
                throw new RefusedException("the query failed in DuckDB: " + e.getMessage());
            }
            try (rs) {
                ResultSetMetaData md = rs.getMetaData();
                String[] header = new String[md.getColumnCount()];
                for (int i = 0; i < header.length; i++) {
                    header[i] = md.getColumnLabel(i + 1);
                }
                TextTable table = new TextTable(header);
                long n = 0;
                while (rs.next()) {
                    n++;
                    if (n <= maxRows) {
                        String[] row = new String[header.length];
                        for (int i = 0; i < header.length; i++) {
                            Object v = rs.getObject(i + 1);
                            row[i] = v == null ? "NULL" : v.toString();
                        }
                        table.add(row);
                    }
                }
                table.print(out);
                out.println("(" + n + " row" + (n == 1 ? "" : "s") + (n > maxRows ? ", first " + maxRows + " shown" : "") + ")");
            }
            return ExitCode.OK;
        }
    }
}
