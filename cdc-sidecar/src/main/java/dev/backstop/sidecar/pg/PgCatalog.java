package dev.backstop.sidecar.pg;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.ValueEncoding;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads table definitions from PostgreSQL's catalogs (bound parameters only). */
public final class PgCatalog {
    private PgCatalog() {
    }

    /**
     * The restore tool's scratch tables ({@code {table}__recovered_{yyyyMMdd_HHmmss}}, {@code {table}__drill_..}):
     * copies of recovery points made during an incident or a drill, never tracked themselves (a drill drops its
     * table a moment later; a recovered table renamed into place is taken on under its new name).
     */
    static final Pattern RESTORE_SCRATCH = Pattern.compile(".+__(recovered|drill)_\\d{8}_\\d{6}");

    /**
     * Ordinary permanent tables matching any {@code schema.table} pattern ({@code *} wildcard), excluding system
     * schemas and the restore tool's scratch tables (temporary and unlogged tables cannot be published: logical
     * decoding does not see them).
     */
    public static List<TableRef> matchingTables(Connection c, String database, List<String> patterns,
                                                String excludeSchema) throws SQLException {
        List<Pattern> regexes = patterns.stream().map(PgCatalog::toRegex).toList();
        List<TableRef> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND c.relpersistence = 'p'"
                + " AND n.nspname NOT IN ('pg_catalog',"
                + " 'information_schema', 'pg_toast') AND n.nspname <> ? ORDER BY 1, 2")) {
            ps.setString(1, excludeSchema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String q = rs.getString(1) + "." + rs.getString(2);
                    if (regexes.stream().anyMatch(r -> r.matcher(q).matches())
                            && !RESTORE_SCRATCH.matcher(rs.getString(2)).matches()) {
                        out.add(new TableRef(database, rs.getString(1), rs.getString(2)));
                    }
                }
            }
        }
        return out;
    }

    static Pattern toRegex(String glob) {
        StringBuilder b = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            b.append(ch == '*' ? ".*" : Pattern.quote(String.valueOf(ch)));
        }
        return Pattern.compile(b.toString());
    }

    /**
     * The table's relation OID, or empty if no table has this name. A different OID under the same name means the
     * table was dropped and created again (its recovery points describe the old one).
     */
    public static Optional<Long> oidOf(Connection c, TableRef t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid ="
                + " c.relnamespace WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r','p')")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    /** The table's definition, or empty if it does not exist (dropped or renamed). */
    public static Optional<TableSchema> describe(Connection c, TableRef t) throws SQLException {
        Long oid = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid ="
                + " c.relnamespace WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r','p')")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    oid = rs.getLong(1);
                }
            }
        }
        if (oid == null) {
            return Optional.empty();
        }
        List<ColumnSpec> cols = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
                + " t.typname, a.atttypmod, a.attnotnull FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
                + " WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.add(column(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), !rs.getBoolean(5)));
                }
            }
        }
        List<String> pk = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname FROM pg_index i CROSS JOIN LATERAL"
                + " unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid"
                + " AND a.attnum = k.attnum WHERE i.indrelid = ? AND i.indisprimary ORDER BY k.ord")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pk.add(rs.getString(1));
                }
            }
        }
        return Optional.of(new TableSchema(t, cols, pk));
    }

    /** PostgreSQL type -> storage encoding (docs/snapshot-format.md section 8). */
    static ColumnSpec column(String name, String formatted, String typname, int typmod, boolean nullable) {
        ValueEncoding e = switch (typname) {
            case "int2" -> ValueEncoding.INT16;
            case "int4" -> ValueEncoding.INT32;
            case "int8" -> ValueEncoding.INT64;
            case "float4" -> ValueEncoding.FLOAT32;
            case "float8" -> ValueEncoding.FLOAT64;
            case "bool" -> ValueEncoding.BOOL;
            case "text", "varchar", "bpchar", "name" -> ValueEncoding.TEXT;
            case "bytea" -> ValueEncoding.BYTES;
            case "uuid" -> ValueEncoding.UUID;
            case "date" -> ValueEncoding.DATE;
            case "time" -> ValueEncoding.TIME;
            case "timestamp" -> ValueEncoding.TIMESTAMP;
            case "timestamptz" -> ValueEncoding.TIMESTAMPTZ;
            case "numeric" -> ValueEncoding.NUMERIC_TEXT;
            default -> ValueEncoding.PG_TEXT;
        };
        if (e == ValueEncoding.NUMERIC_TEXT && typmod >= 4) {
            int precision = ((typmod - 4) >> 16) & 0xFFFF;
            int scale = (short) ((typmod - 4) & 0xFFFF);
            if (precision >= 1 && precision <= 38 && scale >= 0 && scale <= precision) {
                return ColumnSpec.decimal(name, formatted, precision, scale, nullable);
            }
        }
        return ColumnSpec.of(name, formatted, e, nullable);
    }
}
