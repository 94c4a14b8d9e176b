package dev.backstop.gateway.db;

import dev.backstop.policy.TableRef;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rows the current transaction has inserted, updated or deleted so far, per table, from PostgreSQL's
 * own counters ({@code pg_stat_xact_all_tables}: backend-local, kept up to date by every heap write,
 * whoever caused it: the statement itself, a function it called, a trigger, a foreign key's ON DELETE
 * CASCADE). The difference between two reads around a statement is what that statement wrote. With
 * {@code track_counts} off the counters do not move, so the result says it cannot tell.
 */
record XactWrites(boolean tracked, Map<Long, Table> tables) {

    /** One table's counters. */
    record Table(String schema, String name, long inserted, long updated, long deleted) {
    }

    /** Rows a statement wrote to one table. */
    record Rows(long inserted, long updated, long deleted) {
        long total() {
            return inserted + updated + deleted;
        }

        /** Existing rows updated or deleted. */
        long changed() {
            return updated + deleted;
        }

        Rows plus(Rows o) {
            return new Rows(inserted + o.inserted, updated + o.updated, deleted + o.deleted);
        }
    }

    /**
     * What a statement wrote: rows per user table; whether it changed system catalogs (schema changes);
     * unknown when the counters are off or went backwards (nothing can be concluded from them then).
     */
    record Delta(Map<TableRef, Rows> rowsByTable, boolean catalogChanged, boolean unknown) {
        boolean wroteAnything() {
            return catalogChanged || !rowsByTable.isEmpty();
        }
    }

    /**
     * Per relation with counts; a partition is reported under its partitioned root (the table a statement names),
     * and materialized views are left out (derived data, rebuilt by REFRESH, never recovered). Reads the counter
     * functions over pg_class directly: a quarter of the cost of the pg_stat_xact_all_tables view, which computes
     * every counter of every relation.
     */
    private static final String SQL = "SELECT s.tracked, x.relid, coalesce(rn.nspname, n.nspname),"
            + " coalesce(r.relname, x.relname), x.ins, x.upd, x.del"
            + " FROM (SELECT current_setting('track_counts')::bool AS tracked) s LEFT JOIN ("
            + "SELECT c.oid::int8 AS relid, c.relname, c.relnamespace, pg_partition_root(c.oid) AS root,"
            + " pg_stat_get_xact_tuples_inserted(c.oid) AS ins, pg_stat_get_xact_tuples_updated(c.oid) AS upd,"
            + " pg_stat_get_xact_tuples_deleted(c.oid) AS del FROM pg_class c WHERE c.relkind IN ('r', 't', 'p')"
            + " AND pg_stat_get_xact_tuples_inserted(c.oid) + pg_stat_get_xact_tuples_updated(c.oid)"
            + " + pg_stat_get_xact_tuples_deleted(c.oid) > 0 OFFSET 0) x ON true"
            + " LEFT JOIN pg_namespace n ON n.oid = x.relnamespace"
            + " LEFT JOIN pg_class r ON r.oid = x.root AND r.oid <> x.relid::oid"
            + " LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace";

    static XactWrites read(Connection c) throws SQLException {
        Map<Long, Table> out = new HashMap<>();
        boolean tracked = false;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SQL)) {
            while (rs.next()) {
                tracked = rs.getBoolean(1);
                long relid = rs.getLong(2);
                if (!rs.wasNull()) {
                    out.put(relid, new Table(rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6),
                            rs.getLong(7)));
                }
            }
        }
        return new XactWrites(tracked, out);
    }

    Delta since(XactWrites before) {
        Map<TableRef, Rows> rows = new LinkedHashMap<>();
        boolean catalog = false;
        boolean unknown = !tracked || !before.tracked;
        for (Map.Entry<Long, Table> e : tables.entrySet()) {
            Table now = e.getValue();
            Table was = before.tables.get(e.getKey());
            long ins = now.inserted - (was == null ? 0 : was.inserted);
            long upd = now.updated - (was == null ? 0 : was.updated);
            long del = now.deleted - (was == null ? 0 : was.deleted);
            if (ins < 0 || upd < 0 || del < 0) {
                unknown = true; // a TRUNCATE in this transaction resets its table's counters
                continue;
            }
            long n = ins + upd + del;
            if (n == 0) {
                continue;
            }
            String schema = now.schema;
            if (schema.equals("pg_catalog") || schema.equals("information_schema")) {
                catalog = true;
            } else if (!schema.startsWith("pg_toast") && !schema.startsWith("pg_temp")) {
                // TOAST rows belong to a table already counted; temporary tables vanish with the session.
                rows.merge(new TableRef(schema, now.name), new Rows(ins, upd, del), Rows::plus);
            }
        }
        for (Long relid : before.tables.keySet()) {
            if (!tables.containsKey(relid)) {
                unknown = true; // counters that vanished: reset (TRUNCATE) or dropped mid-transaction
            }
        }
        return new Delta(rows, catalog, unknown);
    }
}
