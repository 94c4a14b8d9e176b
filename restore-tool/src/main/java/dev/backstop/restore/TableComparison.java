package dev.backstop.restore;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Live table vs recovered table, by the recovered table's primary key (or, without one, as multisets of whole rows).
 * Columns are the recovered table's; a column the live table lacks (dropped) compares as NULL, columns only the live
 * table has are ignored. Rows are compared by their text form ({@code ROW(..)::text}), which works for every type,
 * json included.
 */
final class TableComparison {
    final Relation live;
    final Relation recovered;
    final List<String> columns;
    final List<Relation.Column> missingInLive;
    final List<String> liveOnly;

    /** Sorted values of the recovered table's key, when that is one integer column and the restore kept them. */
    private final long[] recoveredKeys;
    /** Measured once per comparison: printing several modes reuses them (changed: -1 until counted). */
    private Counts measured;
    private long changed = -1;
    /** Key digests of the missing and of the changed rows (null until measured; none without a key). */
    private BigInteger missingDigest;
    private BigInteger changedDigest;
    private boolean countedFromKeys;

    TableComparison(Relation live, Relation recovered) {
        this(live, recovered, null);
    }

    /**
     * {@code recoveredKeys}: every key of the recovered table, sorted, as the restore streamed them into it (its
     * primary key being one integer column); null measures everything in SQL. They stand for the recovered table
     * only while it holds exactly the streamed rows, which the restore's validation proves.
     */
    TableComparison(Relation live, Relation recovered, long[] recoveredKeys) {
        this.recoveredKeys = recoveredKeys;
        this.live = live;
        this.recovered = recovered;
        this.columns = recovered.columns().stream().map(Relation.Column::name).toList();
        this.missingInLive = recovered.columns().stream().filter(c -> live.column(c.name()).isEmpty()).toList();
        this.liveOnly = live.columns().stream().map(Relation.Column::name)
                .filter(n -> recovered.column(n).isEmpty()).toList();
    }

    boolean hasKey() {
        return !recovered.primaryKey().isEmpty();
    }

    /** Problems that make a comparison (and any copyback) meaningless. */
    List<String> problems() {
        List<String> out = new ArrayList<>();
        for (Relation.Column c : recovered.columns()) {
            live.column(c.name()).ifPresent(l -> {
                if (!l.type().equals(c.type())) {
                    out.add("column " + c.name() + " is " + l.type() + " in " + live.display() + " but " + c.type()
                            + " in " + recovered.display() + ": convert it first (the copyback does not change types)");
                }
            });
        }
        for (String k : recovered.primaryKey()) {
            if (live.column(k).isEmpty()) {
                out.add("primary key column " + k + " no longer exists in " + live.display());
            }
        }
        return out;
    }

    /** The live row's text, with NULL of the recorded type for dropped columns ({@code alias} = live table alias). */
    String liveRow(String alias) {
        return "ROW(" + recovered.columns().stream().map(c -> live.column(c.name()).isPresent()
                ? alias + "." + Sql.ident(c.name()) : "NULL::" + Sql.typeText(c.type()))
                .collect(Collectors.joining(", ")) + ")::text";
    }

    String recoveredRow(String alias) {
        return "ROW(" + Sql.prefixedList(alias, columns) + ")::text";
    }

    String keyMatch(String liveAlias, String recAlias) {
        return recovered.primaryKey().stream()
                .map(k -> liveAlias + "." + Sql.ident(k) + " = " + recAlias + "." + Sql.ident(k))
                .collect(Collectors.joining(" AND "));
    }

    /**
     * The SQL expression of one row's key digest ({@code alias}: the row's table alias): {@code hashint8extended} of
     * a one-integer-column key, else {@code hashtextextended} of the key's row text. A set of rows' digest is the
     * exact sum over them: the copyback checks that the rows it touches are the ones it was printed for, not just as
     * many (a concurrent writer can delete one and restore another between printing and applying).
     */
    String keyDigest(String alias) {
        List<String> pk = recovered.primaryKey();
        if (pk.size() == 1 && KeyCounts.width(recovered.column(pk.get(0)).map(Relation.Column::type).orElse("")) > 0) {
            return "hashint8extended(" + alias + "." + Sql.ident(pk.get(0)) + "::int8, 0)";
        }
        return "hashtextextended(ROW(" + Sql.prefixedList(alias, pk) + ")::text, 0)";
    }

    /** The key digest of the missing rows ({@link #keyDigest}); measured with the counts, null without a key. */
    BigInteger missingDigest() {
        return missingDigest;
    }

    /** The key digest of the changed rows; measured with the changed count, null until then. */
    BigInteger changedDigest() {
        return changedDigest;
    }

    /** Recovered rows with no live row of the same key. */
    String missingWhere() {
        return "NOT EXISTS (SELECT 1 FROM " + live.qualified() + " t WHERE " + keyMatch("t", "r") + ")";
    }

    String extraWhere() {
        return "NOT EXISTS (SELECT 1 FROM " + recovered.qualified() + " r WHERE " + keyMatch("t", "r") + ")";
    }

    String changedWhere() {
        return keyMatch("t", "r") + " AND " + liveRow("t") + " IS DISTINCT FROM " + recoveredRow("r");
    }

    /** {@code changed} is -1 when not counted. */
    record Counts(long liveRows, long recoveredRows, long missing, long extra, long changed) {
    }

    Counts counts(Connection c) throws SQLException {
        return counts(c, true);
    }

    /**
     * The row counts; {@code withChanged} false skips the changed-row count (a full comparison of every row's text,
     * the most expensive query; only {@code upsert} needs it). Measured on the first call; later calls reuse them.
     */
    Counts counts(Connection c, boolean withChanged) throws SQLException {
        if (measured == null) {
            measured = measure(c);
        }
        if (!hasKey()) {
            return measured;
        }
        if (withChanged && changed < 0) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum("
                    + keyDigest("r") + "), 0) FROM " + recovered.qualified() + " r JOIN " + live.qualified() + " t ON "
                    + changedWhere())) {
                rs.next();
                changed = rs.getLong(1);
                changedDigest = rs.getBigDecimal(2).toBigIntegerExact();
            }
        }
        return new Counts(measured.liveRows(), measured.recoveredRows(), measured.missing(), measured.extra(),
                withChanged ? changed : -1);
    }

    /** Whether the counts came from the recovered keys merged with the live ones (false: from SQL, or not yet). */
    boolean countedFromKeys() {
        return countedFromKeys;
    }

    private Counts measure(Connection c) throws SQLException {
        if (hasKey()) {
            KeyCounts.Merged fromKeys = fromKeys(c);
            if (fromKeys != null) {
                countedFromKeys = true;
                missingDigest = fromKeys.missingDigest();
                return fromKeys.counts();
            }
            // The live row count, missing and extra rows in one hash full join: the recovered key is unique, so every
            // live row appears exactly once (an unmatched one with r NULL), and an unmatched recovered row once. A
            // recovered row can appear more than once if the live table has lost its key's uniqueness, so the
            // recovered table is counted on its own.
            long recRows = count(c, "SELECT count(*) FROM " + recovered.qualified());
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(t.ctid),"
                    + " count(*) FILTER (WHERE t.ctid IS NULL), count(*) FILTER (WHERE r.ctid IS NULL),"
                    + " coalesce(sum(" + keyDigest("r") + ") FILTER (WHERE t.ctid IS NULL), 0) FROM "
                    + recovered.qualified() + " r FULL JOIN " + live.qualified() + " t ON " + keyMatch("t", "r"))) {
                rs.next();
                missingDigest = rs.getBigDecimal(4).toBigIntegerExact();
                return new Counts(rs.getLong(1), recRows, rs.getLong(2), rs.getLong(3), -1);
            }
        }
        long liveRows = count(c, "SELECT count(*) FROM " + live.qualified());
        long recRows = count(c, "SELECT count(*) FROM " + recovered.qualified());
        String rec = "SELECT " + recoveredRow("r") + " FROM " + recovered.qualified() + " r";
        String liv = "SELECT " + liveRow("t") + " FROM " + live.qualified() + " t";
        return new Counts(liveRows, recRows,
                count(c, "SELECT count(*) FROM (" + rec + " EXCEPT ALL " + liv + ") x"),
                count(c, "SELECT count(*) FROM (" + liv + " EXCEPT ALL " + rec + ") x"), 0);
    }

    /**
     * Live rows, missing and extra from the recovered keys and the live table's keys, when the key is one smallint,
     * integer or bigint column of the same type in both tables; null (after any failure too) leaves them to SQL.
     */
    private KeyCounts.Merged fromKeys(Connection c) {
        if (recoveredKeys == null || recovered.primaryKey().size() != 1) {
            return null;
        }
        String key = recovered.primaryKey().get(0);
        String type = recovered.column(key).map(Relation.Column::type).orElse("");
        int width = KeyCounts.width(type);
        if (width == 0 || live.column(key).filter(l -> l.type().equals(type)).isEmpty()) {
            return null;
        }
        try {
            if (!c.getAutoCommit()) {
                return null; // a failed COPY would abort the caller's transaction, and the SQL counts with it
            }
            long t0 = System.nanoTime();
            long cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            KeyCounts.Merged n = KeyCounts.measure(c, live, key, width, recoveredKeys, KeyCollector.limit());
            DebugTimings.print("copyback counts from %d recovered keys: %s in %.3f s, cpu %.3f s", recoveredKeys.length,
                    n == null ? "live table over the key limit, counted in SQL" : "ok", (System.nanoTime() - t0) / 1e9,
                    (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0) / 1e9);
            return n;
        } catch (SQLException | IOException | RuntimeException e) {
            DebugTimings.print("copyback counts from keys failed (%s), counted in SQL", e);
            return null;
        }
    }

    /** Up to {@code limit} example rows (key text, or the whole row without a key) of each kind. */
    List<String> examples(Connection c, String kind, int limit) throws SQLException {
        String key = hasKey() ? "ROW(" + Sql.prefixedList(kind.equals("extra") ? "t" : "r", recovered.primaryKey())
                + ")::text" : null;
        String sql;
        if (hasKey()) {
            String order = " ORDER BY 1 LIMIT " + limit;
            sql = switch (kind) {
                case "missing" -> "SELECT " + key + " FROM " + recovered.qualified() + " r WHERE " + missingWhere() + order;
                case "extra" -> "SELECT " + key + " FROM " + live.qualified() + " t WHERE " + extraWhere() + order;
                default -> "SELECT " + key + " || ': ' || " + liveRow("t") + " || ' -> ' || " + recoveredRow("r")
                        + " FROM " + recovered.qualified() + " r JOIN " + live.qualified() + " t ON " + changedWhere()
                        + order;
            };
        } else if (kind.equals("changed")) {
            return List.of(); // without a key a changed row is one missing and one extra row
        } else {
            String rec = "SELECT " + recoveredRow("r") + " FROM " + recovered.qualified() + " r";
            String liv = "SELECT " + liveRow("t") + " FROM " + live.qualified() + " t";
            sql = "SELECT * FROM (" + (kind.equals("extra") ? liv + " EXCEPT ALL " + rec : rec + " EXCEPT ALL " + liv)
                    + ") x ORDER BY 1 LIMIT " + limit;
        }
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                String v = rs.getString(1);
                out.add(v.length() > 200 ? v.substring(0, 200) + "..." : v);
            }
        }
        return out;
    }

    static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
