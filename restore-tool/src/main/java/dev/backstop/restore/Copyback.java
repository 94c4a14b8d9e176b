package dev.backstop.restore;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Copyback SQL from a recovered table into the live one, in one transaction that locks the live table against
 * concurrent writes (SHARE ROW EXCLUSIVE) and checks every statement's row count against the count measured when
 * the SQL was made: a different count raises an exception, which aborts the transaction (nothing changes).
 *
 * <ul>
 *   <li>{@code missing-rows}: insert recovered rows whose key is absent from the live table (undo a DELETE);</li>
 *   <li>{@code upsert}: update live rows that differ from the recovered ones by key, then insert the missing ones
 *       (undo an UPDATE, or a DROP COLUMN: dropped columns are added back first, NULL, then filled);</li>
 *   <li>{@code replace}: delete every live row, then insert every recovered row (undo a TRUNCATE; the only mode for
 *       tables without a primary key).</li>
 * </ul>
 * If the live table no longer exists (DROP TABLE), every mode renames the recovered table to the original name.
 */
final class Copyback {
    enum Mode {
        MISSING_ROWS("missing-rows"), UPSERT("upsert"), REPLACE("replace");

        final String label;

        Mode(String label) {
            this.label = label;
        }

        static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.label.equals(s)) {
                    return m;
                }
            }
            throw new ConfigException("unknown copyback mode '" + s + "' (missing-rows, upsert, replace)");
        }
    }

    /**
     * The statements to run in one transaction (without BEGIN/COMMIT) and a summary of what they will touch;
     * {@code live} and {@code recovered} name the tables.
     */
    record Script(Mode mode, String summary, List<String> statements, String live, String recovered) {
        /**
         * The SQL to print, in one transaction; {@code auditSchema} not null adds, as its last statement, the record
         * of this copyback in that schema's audit chain ({@link HandRunAudit}), committed with it.
         */
        String text(String auditSchema) {
            StringBuilder b = new StringBuilder();
            b.append("-- ").append(summary.replace("\n", "\n-- ")).append('\n');
            b.append("BEGIN;\n");
            for (String s : statements) {
                b.append(s).append(";\n");
            }
            if (auditSchema != null) {
                b.append(HandRunAudit.block(auditSchema, live, recovered, this)).append(";\n");
            }
            b.append("COMMIT;\n");
            return b.toString();
        }
    }

    private static final String TAG = "$backstop$";

    private Copyback() {
    }

    /** The table was dropped: the recovered table takes its name. */
    static Script rename(Relation recovered, String schema, String table) {
        String target = schema + "." + table;
        List<String> st = new ArrayList<>();
        st.add("DO " + TAG + " BEGIN IF to_regclass(" + Sql.literal(Sql.qualified(schema, table)) + ") IS NOT NULL"
                + " THEN RAISE EXCEPTION " + Sql.literal(("backstop copyback: " + target
                + " exists again; nothing was changed").replace("%", "%%"))
                + "; END IF; END " + TAG);
        st.add("ALTER TABLE " + recovered.qualified() + " RENAME TO " + Sql.ident(table));
        return new Script(null, "copyback (table dropped): " + target + " does not exist; the recovered table "
                + recovered.display() + " becomes " + target + " (" + recovered.columns().size() + " columns, primary key "
                + (recovered.primaryKey().isEmpty() ? "none" : String.join(", ", recovered.primaryKey()))
                + "). Indexes other than the primary key, defaults, constraints, triggers and grants of the old table "
                + "are not recreated.", st, target, recovered.display());
    }

    static Script script(Connection c, TableComparison cmp, Mode mode) throws SQLException {
        List<String> problems = cmp.problems();
        if (!problems.isEmpty()) {
            throw new CheckFailedException(String.join("; ", problems));
        }
        if (!cmp.hasKey() && mode != Mode.REPLACE) {
            throw new CheckFailedException(cmp.recovered.display() + " has no primary key: only --mode replace "
                    + "can copy it back (rows cannot be matched one by one)");
        }
        for (String n : cmp.columns) {
            if (n.contains(TAG)) {
                throw new CheckFailedException("column name " + n + " contains " + TAG);
            }
        }
        TableComparison.Counts n = cmp.counts(c, mode == Mode.UPSERT);
        Relation live = cmp.live;
        Relation rec = cmp.recovered;
        List<String> st = new ArrayList<>();
        // The key digest of a key that is not one integer column hashes its text: print it as it was printed here,
        // whatever the session that runs this has set (for this transaction only).
        Database.OUTPUT_FORMATS.forEach(f -> st.add("SET LOCAL " + f));
        st.add("LOCK TABLE " + live.qualified() + " IN SHARE ROW EXCLUSIVE MODE");
        List<String> body = new ArrayList<>();
        String cols = Sql.identList(cmp.columns);
        // The missing rows are inserted, and the changed ones updated, only if they are exactly the rows counted now:
        // as many, with the same keys (their key digest; see TableComparison.keyDigest).
        String insertMissing = "INSERT INTO " + live.qualified() + " AS x (" + cols + ") SELECT "
                + Sql.prefixedList("r", cmp.columns) + " FROM " + rec.qualified() + " r WHERE " + cmp.missingWhere()
                + " RETURNING " + cmp.keyDigest("x") + " AS h";
        String summary;
        switch (mode) {
            case MISSING_ROWS -> {
                addColumns(cmp, st);
                body.add(checkedRows(insertMissing, n.missing(), cmp.missingDigest(), "insert", live));
                summary = "inserts " + n.missing() + " missing row(s) (key digest " + cmp.missingDigest() + ")";
            }
            case UPSERT -> {
                addColumns(cmp, st);
                String set = cmp.columns.stream().filter(k -> !rec.primaryKey().contains(k))
                        .map(k -> Sql.ident(k) + " = r." + Sql.ident(k)).collect(Collectors.joining(", "));
                if (!set.isEmpty()) {
                    body.add(checkedRows("UPDATE " + live.qualified() + " t SET " + set + " FROM " + rec.qualified()
                            + " r WHERE " + cmp.keyMatch("t", "r") + " AND " + rowOf(cmp, "t") + " IS DISTINCT FROM "
                            + cmp.recoveredRow("r") + " RETURNING " + cmp.keyDigest("t") + " AS h", n.changed(),
                            cmp.changedDigest(), "update", live));
                }
                body.add(checkedRows(insertMissing, n.missing(), cmp.missingDigest(), "insert", live));
                String updates = set.isEmpty() ? "updates 0 changed row(s)"
                        : "updates " + n.changed() + " changed row(s) (key digest " + cmp.changedDigest() + ")";
                summary = updates + ", inserts " + n.missing() + " missing row(s) (key digest " + cmp.missingDigest() + ")";
            }
            default -> {
                refuseReplaceWithSideEffects(c, live);
                addColumns(cmp, st);
                body.add(checked("DELETE FROM ONLY " + live.qualified(), n.liveRows(), "delete", live));
                body.add(checked("INSERT INTO " + live.qualified() + " (" + cols + ") SELECT "
                        + Sql.prefixedList("r", cmp.columns) + " FROM " + rec.qualified() + " r", n.recoveredRows(),
                        "insert", live));
                summary = "deletes all " + n.liveRows() + " live row(s), inserts " + n.recoveredRows() + " recovered row(s)";
            }
        }
        if (String.join("\n", body).contains(TAG)) {
            throw new CheckFailedException("a table or column name contains " + TAG + "; write the copyback by hand");
        }
        // use_column: a column named like the row-count variable is the column in the SQL statements (their
        // column references are qualified anyway); the variable is only read by GET DIAGNOSTICS and IF.
        st.add("DO " + TAG + "\n#variable_conflict use_column\nDECLARE n bigint;" + (mode == Mode.REPLACE ? "" : " d numeric;")
                + "\nBEGIN\n" + String.join("\n", body)
                + "\nEND\n" + TAG);
        String header = "copyback " + mode.label + ": " + live.display() + " <- " + rec.display() + ": " + summary
                + ".\nNow: live " + n.liveRows() + " rows, recovered " + n.recoveredRows() + " rows; by "
                + (cmp.hasKey() ? "primary key (" + String.join(", ", rec.primaryKey()) + "): " + n.missing()
                + " missing, " + n.extra() + " extra" + (n.changed() < 0 ? "" : ", " + n.changed() + " changed")
                : "whole rows: " + n.missing() + " missing, " + n.extra() + " extra") + "."
                + (cmp.missingInLive.isEmpty() ? "" : "\nAdds back dropped column(s) "
                + cmp.missingInLive.stream().map(Relation.Column::name).collect(Collectors.joining(", "))
                + " (nullable, no default)" + (mode == Mode.MISSING_ROWS ? "; existing rows keep NULL there: use upsert "
                + "to refill them" : "") + ".")
                + (cmp.liveOnly.isEmpty() ? "" : "\nLive-only column(s) " + String.join(", ", cmp.liveOnly)
                + " are not touched (inserted rows get their defaults).")
                + (mode == Mode.REPLACE ? "\nAny other count when applied aborts the transaction; nothing is changed."
                : "\nAny other count, or other rows (another key digest), when applied aborts the transaction; nothing "
                + "is changed.");
        return new Script(mode, header, st, live.display(), rec.display());
    }

    /**
     * Replace deletes every live row: a foreign key that cascades the delete (CASCADE, SET NULL, SET DEFAULT) would
     * change other tables, and a user trigger could do anything, none of which the row counts see. Refused then.
     */
    private static void refuseReplaceWithSideEffects(Connection c, Relation live) throws SQLException {
        List<String> found = new ArrayList<>();
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT format('%s (foreign key %s, ON DELETE %s)',"
                + " k.conrelid::regclass, k.conname, CASE k.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'"
                + " ELSE 'SET DEFAULT' END) FROM pg_constraint k WHERE k.contype = 'f' AND k.confrelid = ?::regclass"
                + " AND k.confdeltype IN ('c', 'n', 'd') UNION ALL SELECT format('trigger %s', t.tgname) FROM pg_trigger t"
                + " WHERE t.tgrelid = ?::regclass AND NOT t.tgisinternal")) {
            ps.setString(1, live.qualified());
            ps.setString(2, live.qualified());
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        if (!found.isEmpty()) {
            throw new CheckFailedException("--mode replace would delete every row of " + live.display() + ", which "
                    + "reaches beyond it: " + String.join("; ", found) + ". Its row counts cannot see that: use "
                    + "missing-rows or upsert, or write the copyback by hand");
        }
    }

    /**
     * Runs the script built by {@code build} in one transaction that first takes the script's lock, so the counts
     * the script checks are measured under that lock, not before it.
     */
    static Script applyLocked(Connection c, Relation live, SqlSupplier<Script> build) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement stmt = c.createStatement()) {
            stmt.execute("LOCK TABLE " + live.qualified() + " IN SHARE ROW EXCLUSIVE MODE");
            Script s = build.get();
            for (String sql : s.statements()) {
                stmt.execute(sql);
            }
            commit(c);
            return s;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        } finally {
            restoreAutoCommit(c, auto);
        }
    }

    /**
     * The connection broke while COMMIT ran: the server may have committed the copyback or not, and nobody can tell
     * from here. Never reported as "nothing was changed".
     */
    static final class CommitOutcomeUnknown extends SQLException {
        CommitOutcomeUnknown(SQLException cause) {
            super("the connection broke while COMMIT ran (" + cause.getMessage() + ")", cause.getSQLState(), cause);
        }
    }

    private static void commit(Connection c) throws SQLException {
        try {
            c.commit();
        } catch (SQLException e) {
            if (e.getSQLState() == null || e.getSQLState().startsWith("08")) {
                throw new CommitOutcomeUnknown(e);
            }
            throw e; // the server answered: it refused the COMMIT, nothing was committed
        }
    }

    /** A rollback that cannot fail on a broken connection and so hide the error that broke the transaction. */
    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // a broken connection's transaction ends with it, uncommitted
        }
    }

    private static void restoreAutoCommit(Connection c, boolean auto) {
        try {
            if (!c.isClosed()) {
                c.setAutoCommit(auto);
            }
        } catch (SQLException ignored) {
            // broken: the session opens another one for what follows
        }
    }

    /** A supplier that may fail with SQLException. */
    @FunctionalInterface
    interface SqlSupplier<T> {
        T get() throws SQLException;
    }

    /** The live row text inside the copyback transaction: dropped columns have been added back by then. */
    private static String rowOf(TableComparison cmp, String alias) {
        return "ROW(" + Sql.prefixedList(alias, cmp.columns) + ")::text";
    }

    private static void addColumns(TableComparison cmp, List<String> st) {
        for (Relation.Column col : cmp.missingInLive) {
            st.add("ALTER TABLE " + cmp.live.qualified() + " ADD COLUMN " + Sql.ident(col.name()) + " "
                    + Sql.typeText(col.type()));
        }
    }

    private static String checked(String statement, long expected, String verb, Relation live) {
        // RAISE formats its message: a % in a table name is doubled, the one placeholder is ours.
        String message = ("backstop copyback: expected to " + verb + " " + expected + " row(s) of " + live.display())
                .replace("%", "%%") + ", got %; nothing was changed";
        return "  " + statement + ";\n  GET DIAGNOSTICS n = ROW_COUNT;\n  IF n <> " + expected + " THEN RAISE EXCEPTION "
                + Sql.literal(message) + ", n; END IF;";
    }

    /**
     * {@code statement} returns one column {@code h}, each touched row's key digest: it must touch exactly
     * {@code expected} rows whose digests sum to {@code digest}, else the transaction aborts.
     */
    private static String checkedRows(String statement, long expected, java.math.BigInteger digest, String verb,
                                      Relation live) {
        String message = ("backstop copyback: expected to " + verb + " " + expected + " row(s) of " + live.display()
                + " with key digest " + digest).replace("%", "%%") + ", got % row(s) with key digest %; nothing was "
                + "changed";
        return "  WITH w AS (" + statement + ")\n  SELECT count(*), coalesce(sum(h), 0) INTO n, d FROM w;\n  IF n <> "
                + expected + " OR d <> " + digest + " THEN RAISE EXCEPTION " + Sql.literal(message) + ", n, d; END IF;";
    }

    /** Runs the script in one JDBC transaction (the same statements the printed text holds). */
    static void apply(Connection c, Script s) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement stmt = c.createStatement()) {
            for (String sql : s.statements()) {
                stmt.execute(sql);
            }
            commit(c);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        } finally {
            restoreAutoCommit(c, auto);
        }
    }

    static String label(Mode m) {
        return m == null ? "rename" : m.label.toLowerCase(Locale.ROOT);
    }
}
