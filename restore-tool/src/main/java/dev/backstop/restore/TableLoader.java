package dev.backstop.restore;

import dev.backstop.snapshot.ColumnSpec;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Creates the recovered table with the recorded column types and loads rows into it with COPY (text format). The
 * primary key is added after the load (faster, and a duplicate key then fails the restore instead of the load).
 */
final class TableLoader {
    private static final int CHUNK = 256 * 1024;

    private final Connection c;
    private final boolean progress;

    TableLoader(Connection c, boolean progress) {
        this.c = c;
        this.progress = progress;
    }

    static boolean exists(Connection c, String schema, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace WHERE n.nspname = ? AND k.relname = ?")) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Every recorded type must be a type this database knows (else the DDL would fail half way, or mean another type). */
    List<String> unknownTypes(List<ColumnSpec> columns) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regtype(?) IS NOT NULL")) {
            for (ColumnSpec col : columns) {
                try {
                    Sql.typeText(col.pgType());
                } catch (IllegalArgumentException e) {
                    out.add(col.name() + ": " + e.getMessage());
                    continue;
                }
                ps.setString(1, col.pgType());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        out.add(col.name() + ": type " + col.pgType() + " does not exist in this database");
                    }
                }
            }
        }
        return out;
    }

    void create(String schema, String name, List<ColumnSpec> columns) throws SQLException {
        StringBuilder ddl = new StringBuilder("CREATE TABLE ").append(Sql.qualified(schema, name)).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            ColumnSpec col = columns.get(i);
            ddl.append(i == 0 ? "" : ", ").append(Sql.ident(col.name())).append(' ').append(Sql.typeText(col.pgType()));
            if (!col.nullable()) {
                ddl.append(" NOT NULL");
            }
        }
        ddl.append(')');
        try (Statement s = c.createStatement()) {
            s.execute(ddl.toString());
        }
    }

    /** COPYs the rows; returns the row count PostgreSQL reports. */
    long copy(String schema, String name, List<ColumnSpec> columns, List<Object[]> rows) throws SQLException {
        List<String> names = columns.stream().map(ColumnSpec::name).toList();
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                "COPY " + Sql.qualified(schema, name) + " (" + Sql.identList(names) + ") FROM STDIN");
        ProgressBar bar = progress ? new ProgressBarBuilder().setTaskName("restore " + name).setInitialMax(rows.size())
                .setUnit(" rows", 1).setConsumer(new ConsoleProgressBarConsumer(System.err)).build() : null;
        try {
            StringBuilder buf = new StringBuilder(CHUNK + 4096);
            long pending = 0;
            for (Object[] row : rows) {
                CopyText.appendRow(buf, row);
                pending++;
                if (buf.length() >= CHUNK) {
                    byte[] b = buf.toString().getBytes(StandardCharsets.UTF_8);
                    in.writeToCopy(b, 0, b.length);
                    buf.setLength(0);
                    if (bar != null) {
                        bar.stepBy(pending);
                    }
                    pending = 0;
                }
            }
            if (buf.length() > 0) {
                byte[] b = buf.toString().getBytes(StandardCharsets.UTF_8);
                in.writeToCopy(b, 0, b.length);
            }
            if (bar != null) {
                bar.stepBy(pending);
            }
            return in.endCopy();
        } catch (SQLException | RuntimeException e) {
            if (in.isActive()) {
                try {
                    in.cancelCopy();
                } catch (SQLException ignored) {
                    // the original error is the one to report
                }
            }
            throw e;
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
    }

    void addPrimaryKey(String schema, String name, List<String> primaryKey) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + Sql.qualified(schema, name) + " ADD PRIMARY KEY (" + Sql.identList(primaryKey) + ")");
        }
    }

    static void drop(Connection c, String schema, String name) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + Sql.qualified(schema, name));
        }
    }
}
