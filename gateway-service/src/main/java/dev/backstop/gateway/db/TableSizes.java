package dev.backstop.gateway.db;

import dev.backstop.policy.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Rows in a table before a write: pg_class.reltuples, or count(*) when the table was never analyzed
 * (reltuples &lt; 0). Read inside the write's own transaction, before the write. 0 = unknown/new table.
 */
final class TableSizes {
    long rows(Connection c, TableRef t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return 0;
                }
                double reltuples = rs.getDouble(1);
                if (reltuples >= 0) {
                    return (long) reltuples;
                }
            }
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM " + quote(t.schema()) + "." + quote(t.name()))) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
