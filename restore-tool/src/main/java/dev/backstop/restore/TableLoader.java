package dev.backstop.restore;

import dev.backstop.snapshot.ColumnSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the recovered table with the recorded column types (rows are loaded by {@link ParallelCopy}; the primary
 * key is added after the load: faster, and a duplicate key then fails the validation instead of the load).
 */
final class TableLoader {
    private final Connection c;

    TableLoader(Connection c) {
        this.c = c;
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

    /**
     * {@code unlogged}: for scratch tables that are dropped once validated (drills): PostgreSQL writes no WAL for
     * their rows, so a drill on a production server adds no WAL volume, replication traffic or logical decoding work
     * the size of the table. A recovered table is always logged: it must survive a crash until it is copied back.
     */
    void create(String schema, String name, List<ColumnSpec> columns, boolean unlogged) throws SQLException {
        StringBuilder ddl = new StringBuilder(unlogged ? "CREATE UNLOGGED TABLE " : "CREATE TABLE ")
                .append(Sql.qualified(schema, name)).append(" (");
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
        comment(c, schema, name, NOT_VALIDATED);
    }

    /**
     * The comment a recovered table carries from its creation until its validation passes. The load is not one
     * transaction (it runs over several connections), so a restore killed half way leaves a table that must never be
     * copied back: {@code copyback} refuses a table with this comment.
     */
    static final String NOT_VALIDATED = "backstop: NOT validated (restore in progress, interrupted or failed): "
            + "do not copy back";

    static void comment(Connection c, String schema, String name, String text) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("COMMENT ON TABLE " + Sql.qualified(schema, name) + " IS " + Sql.literal(text));
        }
    }

    /**
     * True unless the table carries the comment a passed validation writes ("backstop: ... validated (N rows,
     * fingerprint F)"): a table marked {@link #NOT_VALIDATED}, one without a comment (a restore killed between
     * creating and marking it, or a table made by other means) and one whose comment was changed are all refused.
     */
    static boolean notValidated(Connection c, String schema, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT obj_description(k.oid, 'pg_class') FROM pg_class k"
                + " JOIN pg_namespace n ON n.oid = k.relnamespace WHERE n.nspname = ? AND k.relname = ?")) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                String comment = rs.next() ? rs.getString(1) : null;
                return comment == null || comment.startsWith(NOT_VALIDATED)
                        || !VALIDATED.matcher(comment).matches();
            }
        }
    }

    /** The comment {@link Restorer} writes once validation passed. */
    private static final java.util.regex.Pattern VALIDATED =
            java.util.regex.Pattern.compile("(?s)backstop: .* as of LSN .* from recovery point .*, validated \\(\\d+ rows, fingerprint \\d+\\)");

    static void drop(Connection c, String schema, String name) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + Sql.qualified(schema, name));
        }
    }
}
