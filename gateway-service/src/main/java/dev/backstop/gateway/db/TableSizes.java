package dev.backstop.gateway.db;

import dev.backstop.policy.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Rows in a table before a write, for the percentage limit: exact (count(*)) for tables below
 * {@link #EXACT_BELOW} rows, else at least that many (pg_class.reltuples when larger). Statistics
 * alone are not enough: a table emptied and loaded again before autovacuum ran can say 0 rows (the
 * percentage would be skipped) or a million (a 100% delete of its 900 real rows would look like
 * 0.09%). Counting at most {@link #EXACT_BELOW} rows is cheap, and a percentage can only exceed
 * max_write_percent_without_critical on a table smaller than max_write_rows_without_critical x 100 /
 * that percent (2,000 rows with the defaults), which this counts exactly. Read inside the write's own
 * transaction. 0 = the table does not exist (yet).
 */
final class TableSizes {
    /** Tables with fewer rows than this are counted exactly. */
    static final long EXACT_BELOW = 10_000;

    long rows(Connection c, TableRef t) throws SQLException {
        double reltuples;
        boolean readable;
        double scaled;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT c.reltuples, has_table_privilege(c.oid, 'SELECT'), CASE WHEN c.relpages > 0 AND c.reltuples >= 0"
                        + " THEN c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::int)"
                        + " ELSE -1 END FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return 0;
                }
                reltuples = rs.getDouble(1);
                readable = rs.getBoolean(2);
                scaled = rs.getDouble(3);
            }
        }
        if (!readable) {
            // An insert-only grant: the statistics are all there is, and they can be stale. -1 = unknown:
            // the caller decides whether the percentage matters (not for a plain INSERT).
            return reltuples >= EXACT_BELOW ? (long) reltuples : -1;
        }
        if (scaled >= 2.0 * EXACT_BELOW && reltuples >= 2.0 * EXACT_BELOW) {
            // The statistics and the table's current size (density x pages, as the planner scales them) both say
            // large: no count. (A table emptied by deletes not yet vacuumed keeps its pages: see docs/limits.md.)
            return (long) Math.max(reltuples, scaled);
        }
        long counted;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM (SELECT 1 FROM " + quote(t.schema()) + "."
                     + quote(t.name()) + " LIMIT " + EXACT_BELOW + ") AS first_rows")) {
            rs.next();
            counted = rs.getLong(1);
        }
        return counted < EXACT_BELOW ? counted : Math.max(counted, (long) reltuples);
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
