package dev.backstop.restore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A table as the catalog describes it now: columns (name, format_type) in order and primary key columns. */
record Relation(String schema, String name, List<Column> columns, List<String> primaryKey) {

    record Column(String name, String type) {
    }

    String qualified() {
        return Sql.qualified(schema, name);
    }

    String display() {
        return schema + "." + name;
    }

    Optional<Column> column(String n) {
        return columns.stream().filter(c -> c.name().equals(n)).findFirst();
    }

    /**
     * The recovered table an operator names for {@code live}: {@code schema.name}, or a bare name in the live table's
     * schema; refused if it does not exist.
     */
    static Relation recovered(Connection c, dev.backstop.snapshot.TableRef live, String given) throws SQLException {
        int dot = given.indexOf('.');
        String schema = dot >= 0 ? given.substring(0, dot) : live.schema();
        String name = dot >= 0 ? given.substring(dot + 1) : given;
        return describe(c, schema, name).orElseThrow(() ->
                new CheckFailedException("recovered table " + schema + "." + name + " does not exist"));
    }

    static Optional<Relation> describe(Connection c, String schema, String name) throws SQLException {
        List<Column> cols = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
                        + " JOIN pg_class k ON k.oid = a.attrelid JOIN pg_namespace n ON n.oid = k.relnamespace"
                        + " WHERE n.nspname = ? AND k.relname = ? AND k.relkind IN ('r', 'p')"
                        + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.add(new Column(rs.getString(1), rs.getString(2)));
                }
            }
        }
        if (cols.isEmpty() && !TableLoader.exists(c, schema, name)) {
            return Optional.empty();
        }
        List<String> pk = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT a.attname FROM pg_index i JOIN pg_class k ON k.oid = i.indrelid"
                        + " JOIN pg_namespace n ON n.oid = k.relnamespace"
                        + " CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS u(attnum, ord)"
                        + " JOIN pg_attribute a ON a.attrelid = k.oid AND a.attnum = u.attnum"
                        + " WHERE n.nspname = ? AND k.relname = ? AND i.indisprimary ORDER BY u.ord")) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pk.add(rs.getString(1));
                }
            }
        }
        return Optional.of(new Relation(schema, name, cols, pk));
    }
}
