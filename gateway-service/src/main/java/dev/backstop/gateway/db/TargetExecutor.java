package dev.backstop.gateway.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.ExecutionResult;
import dev.backstop.gateway.core.ExecutionResult.Column;
import dev.backstop.gateway.core.ExecutionResult.StatementResult;
import dev.backstop.gateway.core.SecretScrubber;
import dev.backstop.gateway.core.SqlWords;
import dev.backstop.policy.ImpactEstimate;
import dev.backstop.policy.StatementClassification;
import dev.backstop.policy.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import org.postgresql.core.BaseConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a request's classified statements on the target database, in one transaction owned by the
 * gateway:
 * <ul>
 * <li>each statement is the exact slice of the original text that was classified, sent alone
 *     through the extended query protocol (PostgreSQL refuses more than one command in a Parse),
 *     after checking pgjdbc will not split it;</li>
 * <li>SAFE-only requests run in a READ ONLY transaction; every transaction gets SET LOCAL
 *     statement_timeout;</li>
 * <li>writes are measured (update counts per table) and the row guard decides before COMMIT;</li>
 * <li>the connection is reset (DISCARD ALL) before it goes back to the pool, or evicted. A READ ONLY
 *     transaction is not committed: it ends with ROLLBACK and DISCARD ALL sent together in one round
 *     trip (see {@link #endReadOnly}).</li>
 * </ul>
 */
public final class TargetExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(TargetExecutor.class);

    /** Operations whose update count is the number of rows written to their single target table. */
    private static final java.util.Set<String> MEASURED = java.util.Set.of("INSERT", "UPDATE", "DELETE", "MERGE", "COPY");
    /** Writes that may change rows without telling us how many (functions, procedures, dynamic SQL). */
    private static final java.util.Set<String> OPAQUE = java.util.Set.of(
            "SELECT", "WITH", "VALUES", "TABLE", "CALL", "DO", "EXECUTE", "EXPLAIN", "EXPLAIN ANALYZE", "PREPARE");

    /**
     * Decides whether measured writes may commit: given the actual impacts (and whether some write
     * could not be measured), returns true to COMMIT.
     */
    public interface RowGuard extends BiPredicate<List<ImpactEstimate>, Boolean> {
    }

    /**
     * @param recordCommitPoint read the WAL insert position and transaction id right before COMMIT
     *                          (statements the recovery gate protects: their audit names the commit point)
     */
    public record Options(boolean readOnly, long statementTimeoutMs, int maxRows, RowGuard guard,
                          boolean recordCommitPoint) {
        public Options(boolean readOnly, long statementTimeoutMs, int maxRows, RowGuard guard) {
            this(readOnly, statementTimeoutMs, maxRows, guard, false);
        }
    }

    private final HikariDataSource pool;
    private final TableSizes tableSizes;

    private final long sessionStatementTimeoutMs;
    /**
     * Whether this server accepts "ROLLBACK; DISCARD ALL" in one extended-protocol batch (PostgreSQL
     * 17 does). Turned off for good if it ever refuses while a plain DISCARD ALL then works.
     */
    private volatile boolean pipelinedReset = true;
    private final java.util.concurrent.atomic.LongAdder oneTripReads = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder twoTripReads = new java.util.concurrent.atomic.LongAdder();
    /** active_sql_transaction: what PostgreSQL answers a command that must not run inside a pipeline. */
    private static final String PIPELINE_REFUSED = "25001";

    /**
     * @param sessionStatementTimeoutMs the statement_timeout the pool's sessions start with (its
     *                                  connections' startup option), or -1 if none
     */
    public TargetExecutor(HikariDataSource pool, long sessionStatementTimeoutMs) {
        this.pool = pool;
        this.tableSizes = new TableSizes();
        this.sessionStatementTimeoutMs = sessionStatementTimeoutMs;
    }

    /** Read-only requests sent in one round trip ({@link OneTripRead}). */
    public long oneTripReads() {
        return oneTripReads.sum();
    }

    /** Read-only requests sent in two round trips (several statements, or the one-trip form not possible). */
    public long twoTripReads() {
        return twoTripReads.sum();
    }

    public ExecutionResult execute(String sql, List<StatementClassification> statements, Options options) {
        // Checks that need no database come first: a refused request never borrows a connection.
        for (StatementClassification s : statements) {
            String text = sql.substring(s.start(), s.end());
            String split = StatementSplitCheck.problem(text);
            if (split != null) {
                return new ExecutionResult.Refused(ErrorCode.STATEMENT_BOUNDARY_MISMATCH, s.index(), split);
            }
            if (SqlWords.isSessionSet(text)) {
                return new ExecutionResult.Refused(ErrorCode.SESSION_STATE_REFUSED, s.index(),
                        "statement " + s.index() + " changes a session setting; use SET LOCAL");
            }
        }
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            throw new DatabaseUnavailableException(e);
        }
        boolean clean = false;
        try {
            if (options.readOnly() && statements.size() == 1 && pipelinedReset) {
                OneTripRead.Outcome fast = readInOneTrip(c, sql, statements.get(0), options);
                if (fast != null) {
                    oneTripReads.increment();
                    clean = fast.clean();
                    return fast.result();
                }
            }
            if (options.readOnly()) {
                twoTripReads.increment();
            }
            ExecutionResult r = runTransaction(c, sql, statements, options);
            clean = options.readOnly() ? endReadOnly(c) : reset(c);
            return r;
        } finally {
            if (!clean) {
                pool.evictConnection(c);
            }
            closeQuietly(c);
        }
    }

    /**
     * One SAFE statement in one round trip ({@link OneTripRead}); null when it cannot be sent that way
     * (pgjdbc would split it otherwise, the session's standard_conforming_strings is off, or the server
     * refuses DISCARD ALL after ROLLBACK in one batch), and the caller runs it the two-trip way.
     */
    private OneTripRead.Outcome readInOneTrip(Connection c, String sql, StatementClassification s, Options o) {
        try {
            if (!c.unwrap(BaseConnection.class).getStandardConformingStrings()) {
                return null; // the two-trip path refuses it with the reason
            }
        } catch (SQLException e) {
            return null;
        }
        Long timeout = o.statementTimeoutMs() != sessionStatementTimeoutMs ? o.statementTimeoutMs() : null;
        OneTripRead.Pipeline p = OneTripRead.plan(sql.substring(s.start(), s.end()), timeout);
        if (p == null) {
            return null;
        }
        OneTripRead.Outcome out = OneTripRead.run(c, p, s.index(), s.operation(), o.maxRows());
        if (out.result() instanceof ExecutionResult.Failed f && out.failedOutsideTransaction() && out.clean()) {
            // Not the agent's statement (it would have left our READ ONLY transaction aborted) but DISCARD ALL after
            // our ROLLBACK: the statement did run, so it runs again the two-trip way. A server that refuses DISCARD
            // ALL at that place ("cannot be executed within a pipeline") gets two trips from now on.
            if (PIPELINE_REFUSED.equals(f.sqlstate())) {
                LOG.warn("one-trip read refused by the server ({}); reads take two round trips from now on",
                        f.message());
                pipelinedReset = false;
            }
            return null;
        }
        return out;
    }

    private ExecutionResult runTransaction(Connection c, String sql, List<StatementClassification> statements,
                                           Options o) {
        int current = -1;
        try {
            c.setAutoCommit(false);
            BaseConnection pg = c.unwrap(BaseConnection.class);
            // READ ONLY: pgjdbc opens the transaction with BEGIN READ ONLY (readOnlyMode=transaction,
            // forced on the pool), sent with the first statement: no extra round trip.
            c.setReadOnly(o.readOnly());
            // statement_timeout: the pool's sessions start with the configured value (startup option,
            // which DISCARD ALL restores); a different value is set for this transaction only.
            if (o.statementTimeoutMs() != sessionStatementTimeoutMs) {
                try (PreparedStatement setup = c.prepareStatement("SELECT set_config('statement_timeout', ?, true)")) {
                    setup.setString(1, Long.toString(o.statementTimeoutMs()));
                    setup.execute();
                }
            }
            Map<TableRef, long[]> impacts = new LinkedHashMap<>();
            // Existing rows updated or deleted in tables the statements do not name (percentage limit).
            Map<TableRef, long[]> sideEffects = new LinkedHashMap<>();
            boolean unknown = false;
            List<StatementResult> results = new ArrayList<>();
            List<Column> columns = List.of();
            List<List<JsonNode>> rows = List.of();
            boolean truncated = false;
            long lastCount = 0;
            // A read-write transaction's statements can write more than they say (functions called by a
            // read or inside a write, triggers, ON DELETE CASCADE): the transaction's own table
            // statistics show every table they changed.
            boolean watchSideEffects = o.guard() != null && !o.readOnly();
            XactWrites written = watchSideEffects ? XactWrites.read(c) : null;
            String searchPath = null;
            Map<Long, Long> relFiles = new java.util.HashMap<>();
            java.util.Set<Long> named = new java.util.HashSet<>();
            for (StatementClassification s : statements) {
                current = s.index();
                if (watchSideEffects && isDdl(s)) {
                    relFiles.clear();
                    relFiles.putAll(userRelFiles(c));
                    named.clear();
                    named.addAll(namedOids(c, s));
                }
                ExecutionResult.Refused drift = classifierAssumptionsBroken(c, pg, s.index(), statements.size(),
                        searchPath);
                if (drift != null) {
                    rollbackQuietly(c);
                    return drift;
                }
                if (statements.size() > 1 && searchPath == null) {
                    searchPath = currentSearchPath(c);
                }
                boolean measured = o.guard() != null && s.write() && MEASURED.contains(s.operation())
                        && s.tables().size() == 1 && !s.reasons().contains("data_modifying_cte");
                if (measured) {
                    TableRef target = s.tables().get(0);
                    if (!impacts.containsKey(target)) {
                        long size = tableSizes.rows(c, target);
                        impacts.put(target, new long[] {0, Math.max(0, size)});
                        if (size < 0 && !s.operation().equals("INSERT")) {
                            unknown = true; // no SELECT privilege and no statistics: the percentage cannot be judged
                        }
                    }
                } else if (o.guard() != null && s.write() && OPAQUE.contains(s.operation())) {
                    unknown = true;
                } else if (o.guard() != null && s.write() && MEASURED.contains(s.operation())) {
                    unknown = true;
                }
                try (Statement st = c.createStatement()) {
                    st.setEscapeProcessing(false);
                    if (!s.write()) {
                        st.setMaxRows(o.maxRows() + 1);
                    } else {
                        st.setFetchSize(1000);
                    }
                    boolean hasRows = st.execute(sql.substring(s.start(), s.end()));
                    long count;
                    if (hasRows) {
                        try (ResultSet rs = st.getResultSet()) {
                            ResultRows read = ResultRows.read(rs, o.maxRows());
                            truncated = read.truncated();
                            // RETURNING: every row was written, we counted them all
                            count = s.write() ? read.seen() : read.returned();
                            columns = read.columns();
                            rows = read.rows();
                        }
                    } else {
                        count = Math.max(0, st.getLargeUpdateCount());
                    }
                    lastCount = count;
                    results.add(new StatementResult(s.index(), s.operation(), count));
                    if (measured) {
                        impacts.get(s.tables().get(0))[0] += count;
                    }
                }
                if (watchSideEffects) {
                    XactWrites now = XactWrites.read(c);
                    XactWrites.Delta d = now.since(written);
                    written = now;
                    if (d.catalogChanged() && !isDdl(s)) {
                        // A function or trigger changed the schema (a TRUNCATE or DROP inside it, say): which
                        // tables it emptied cannot be told from row counts, nor put under the recovery gate.
                        rollbackQuietly(c);
                        return new ExecutionResult.Refused(ErrorCode.HIDDEN_SCHEMA_CHANGE, s.index(),
                                "statement " + s.index() + " changed the schema through a function or trigger");
                    }
                    if (isDdl(s)) {
                        ExecutionResult.Refused hidden = otherTablesRewritten(c, relFiles, named, s);
                        if (hidden != null) {
                            rollbackQuietly(c);
                            return hidden;
                        }
                    }
                    if (d.unknown() || (!s.write() && d.wroteAnything())) {
                        // Counters off or reset, or a read that wrote (a function it called).
                        unknown = true;
                    }
                    TableRef counted = measured ? s.tables().get(0) : null;
                    long ownCount = measured ? results.get(results.size() - 1).rowCount() : 0;
                    for (Map.Entry<TableRef, XactWrites.Rows> e : d.rowsByTable().entrySet()) {
                        XactWrites.Rows w = e.getValue();
                        if (isDdl(s) && s.tables().contains(e.getKey())) {
                            continue; // the DDL's own table (CREATE TABLE AS): its rows are the statement
                        }
                        long extra = e.getKey().equals(counted) ? Math.max(0, w.total() - ownCount) : w.total();
                        if (extra == 0) {
                            continue; // the statement's own update count covers it
                        }
                        // More rows than the statement reports (a self-referencing cascade, a trigger, a
                        // function), or rows of a table it does not name.
                        if (!impacts.containsKey(e.getKey())) {
                            long now0 = tableSizes.rows(c, e.getKey());
                            // Counted after the write: the size before it is that, less what it added.
                            impacts.put(e.getKey(), new long[] {0, now0 < 0 ? 0 : Math.max(0, now0 - w.inserted() + w.deleted())});
                            if (now0 < 0 && w.changed() > 0) {
                                unknown = true; // its size cannot be read: the percentage cannot be judged
                            }
                        }
                        long size = impacts.get(e.getKey())[1];
                        impacts.get(e.getKey())[0] += extra;
                        long changed = Math.min(w.changed(), extra);
                        if (changed > 0) {
                            sideEffects.computeIfAbsent(e.getKey(), t -> new long[] {0, size})[0] += changed;
                        }
                    }
                }
            }
            ExecutionResult.Refused drift = classifierAssumptionsBroken(c, pg, statements.size(), statements.size(),
                    searchPath);
            if (drift != null) {
                rollbackQuietly(c);
                return drift;
            }
            current = -1;
            if (o.readOnly()) {
                // Nothing to commit: the caller ends the transaction with ROLLBACK (endReadOnly).
                return new ExecutionResult.Executed(columns, rows, lastCount, truncated, results, null);
            }
            // The guard is asked even when nothing was measured: it also re-checks what may have
            // changed since the plan was made (emergency pause, quarantine).
            if (o.guard() != null) {
                List<ImpactEstimate> actual = new ArrayList<>();
                impacts.forEach((t, v) -> actual.add(
                        new ImpactEstimate(t, v[0], v[1], ImpactEstimate.Source.ACTUAL_ROW_COUNT)));
                sideEffects.forEach((t, v) -> actual.add(
                        new ImpactEstimate(t, v[0], v[1], ImpactEstimate.Source.SIDE_EFFECT_CHANGED_ROWS)));
                if (!o.guard().test(actual, unknown)) {
                    c.rollback();
                    return new ExecutionResult.RolledBackOverLimit(actual, unknown);
                }
            }
            ExecutionResult.CommitPoint commitPoint = o.recordCommitPoint() ? commitPoint(c) : null;
            try {
                c.commit();
            } catch (SQLException e) {
                if (isConnectionLoss(e)) {
                    return new ExecutionResult.OutcomeUnknown(SecretScrubber.scrub(e.getMessage()), commitPoint);
                }
                throw e;
            }
            return new ExecutionResult.Executed(columns, rows, lastCount, truncated, results, commitPoint);
        } catch (SQLException e) {
            rollbackQuietly(c);
            return new ExecutionResult.Failed(Math.max(current, 0), e.getSQLState(), SecretScrubber.scrub(e.getMessage()));
        } catch (RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        }
    }

    /**
     * The classifier read the text with standard_conforming_strings on and unqualified names in the
     * search_path the session started with. A statement (SET LOCAL, set_config in a function) can
     * change either for the statements after it; checked before each statement and once after the
     * last: a change refuses the whole request. {@code searchPath} is null until read (only texts with
     * several statements need it).
     */
    private static ExecutionResult.Refused classifierAssumptionsBroken(Connection c, BaseConnection pg, int index,
                                                                        int count, String searchPath)
            throws SQLException {
        if (!pg.getStandardConformingStrings()) {
            // With it off, backslashes in '...' change where strings (and so statements) end.
            return new ExecutionResult.Refused(ErrorCode.STATEMENT_BOUNDARY_MISMATCH, Math.min(index, count - 1),
                    "standard_conforming_strings is off on this connection"
                            + (index > 0 ? " (turned off by an earlier statement of this request)" : ""));
        }
        if (searchPath != null && !searchPath.equals(currentSearchPath(c))) {
            return new ExecutionResult.Refused(ErrorCode.SEARCH_PATH_CHANGED, Math.min(index, count - 1),
                    "search_path was changed by an earlier statement of this request: unqualified names after it"
                            + " would not be the tables that were classified and checked");
        }
        return null;
    }

    private static String currentSearchPath(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_setting('search_path')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** oid -> relfilenode of every user table (TRUNCATE, rewrites and DROP change or remove it). */
    private static Map<Long, Long> userRelFiles(Connection c) throws SQLException {
        Map<Long, Long> out = new java.util.HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT c.oid::int8, c.relfilenode::int8 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                        + " AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'")) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return out;
    }

    /** The oids of the tables a statement names that exist now (looked up before it runs). */
    private static java.util.Set<Long> namedOids(Connection c, StatementClassification s) throws SQLException {
        java.util.Set<Long> named = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT c.oid::int8 FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
            for (TableRef t : s.tables()) {
                ps.setString(1, t.schema());
                ps.setString(2, t.name());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        named.add(rs.getLong(1));
                    }
                }
            }
        }
        return named;
    }

    /**
     * After a DDL statement: did it truncate, rewrite or drop a table it does not name (a function it called, an
     * event trigger)? Those tables were neither classified nor put under the recovery gate. TRUNCATE/DROP ..
     * CASCADE say in their text that they reach further (cascade_risk_requires_group_readiness gates that).
     */
    private static ExecutionResult.Refused otherTablesRewritten(Connection c, Map<Long, Long> before,
                                                               java.util.Set<Long> named, StatementClassification s) {
        if (s.cascade()) {
            return null;
        }
        try {
            Map<Long, Long> after = userRelFiles(c);
            for (Map.Entry<Long, Long> e : before.entrySet()) {
                if (!named.contains(e.getKey()) && !e.getValue().equals(after.get(e.getKey()))) {
                    return new ExecutionResult.Refused(ErrorCode.HIDDEN_SCHEMA_CHANGE, s.index(), "statement "
                            + s.index() + " truncated, rewrote or dropped a table it does not name (table oid "
                            + e.getKey() + ")");
                }
            }
            return null;
        } catch (SQLException e) {
            return new ExecutionResult.Refused(ErrorCode.HIDDEN_SCHEMA_CHANGE, s.index(),
                    "what statement " + s.index() + " changed could not be checked: " + SecretScrubber.scrub(e.getMessage()));
        }
    }

    /** Statements that change the schema themselves (their catalog writes are expected). */
    private static boolean isDdl(StatementClassification s) {
        return s.write() && !MEASURED.contains(s.operation()) && !OPAQUE.contains(s.operation());
    }

    /**
     * Inside the transaction, after every statement ran and right before COMMIT: the WAL insert
     * position and our transaction id. Our commit record is inserted after this point, so it ends
     * after it; every transaction that committed before the read ends at or before it. The
     * statements hold their row or table locks until our COMMIT, so no transaction that commits in
     * between can have changed what they changed (docs/api.md "Audit").
     */
    private static ExecutionResult.CommitPoint commitPoint(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text, pg_current_xact_id()::text")) {
            rs.next();
            return new ExecutionResult.CommitPoint(rs.getString(1), rs.getString(2));
        }
    }

    /** The target database's foreign-key graph, read in a READ ONLY transaction; empty if it cannot be read. */
    public java.util.Optional<ForeignKeys> foreignKeys() {
        return inRolledBackTransaction("reading the foreign keys", c -> {
            c.setReadOnly(true);
            return ForeignKeys.read(c);
        });
    }

    /** Work done in a transaction that is always rolled back; null = nothing to return. */
    @FunctionalInterface
    private interface RolledBackWork<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} on a pooled connection in a transaction that is then rolled back, and resets the session
     * (or evicts the connection). Empty if there is no connection, the work fails or returns null.
     */
    private <T> java.util.Optional<T> inRolledBackTransaction(String what, RolledBackWork<T> work) {
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            return java.util.Optional.empty();
        }
        boolean clean = false;
        try {
            c.setAutoCommit(false);
            T result = work.run(c);
            c.rollback();
            clean = reset(c);
            return java.util.Optional.ofNullable(result);
        } catch (SQLException | RuntimeException e) {
            // An estimate fails with the agent's own SQL errors: not worth a warning; anything else is.
            if (what.startsWith("the impact estimate")) {
                LOG.debug("{} failed: {}", what, SecretScrubber.scrub(String.valueOf(e.getMessage())));
            } else {
                LOG.warn("{} failed: {}", what, SecretScrubber.scrub(String.valueOf(e.getMessage())));
            }
            rollbackQuietly(c);
            return java.util.Optional.empty();
        } finally {
            if (!clean) {
                pool.evictConnection(c);
            }
            closeQuietly(c);
        }
    }

    /** DML statements whose impact EXPLAIN can estimate. */
    public static boolean explainable(StatementClassification s) {
        return s.write() && MEASURED.contains(s.operation()) && !s.operation().equals("COPY")
                && s.tables().size() == 1 && !s.reasons().contains("data_modifying_cte");
    }

    /**
     * EXPLAIN (FORMAT JSON) estimate of rows written by each explainable statement, in a READ ONLY
     * transaction that is always rolled back (planning can run functions), under a short timeout.
     * Empty if any statement could not be estimated: the caller applies unknown_impact_action.
     */
    public java.util.Optional<List<ImpactEstimate>> estimate(String sql, List<StatementClassification> writes,
                                                             long timeoutMs) {
        return inRolledBackTransaction("the impact estimate", c -> {
            try (PreparedStatement setup = c.prepareStatement("SELECT set_config('statement_timeout', ?, true),"
                    + " set_config('transaction_read_only', 'on', true)")) {
                setup.setString(1, Long.toString(timeoutMs));
                setup.execute();
            }
            Map<TableRef, long[]> byTable = new LinkedHashMap<>();
            for (StatementClassification s : writes) {
                String text = sql.substring(s.start(), s.end());
                if (StatementSplitCheck.problem(text) != null) {
                    return null;
                }
                long rows;
                try (Statement st = c.createStatement()) {
                    st.setEscapeProcessing(false);
                    try (ResultSet rs = st.executeQuery("EXPLAIN (FORMAT JSON) " + text)) {
                        rs.next();
                        rows = ExplainPlans.writtenRows(rs.getString(1));
                    }
                }
                TableRef t = s.tables().get(0);
                if (!byTable.containsKey(t)) {
                    byTable.put(t, new long[] {0, tableSizes.rows(c, t)});
                }
                byTable.get(t)[0] += rows;
            }
            List<ImpactEstimate> out = new ArrayList<>();
            byTable.forEach((t, v) -> out.add(new ImpactEstimate(t, v[0], v[1], ImpactEstimate.Source.EXPLAIN_ESTIMATE)));
            return out;
        });
    }

    /**
     * Ends a READ ONLY request's transaction and resets the session in one round trip: "ROLLBACK;
     * DISCARD ALL" is split by pgjdbc into two commands sent with a single Sync (our own constant
     * text, never the agent's). ROLLBACK undoes whatever session state the transaction changed
     * transactionally (SET or set_config(.., false) run by a function the classifier could not see
     * into, LISTEN, WITH HOLD cursors), and DISCARD ALL then drops what a rollback keeps (session
     * advisory locks, prepared statements), exactly as for any other request. Nothing can be lost by
     * not committing: the transaction was READ ONLY. If the server refuses the pair, the classic
     * reset runs instead (and the pair is not tried again); if that fails too, the caller evicts
     * the connection.
     */
    private boolean endReadOnly(Connection c) {
        if (pipelinedReset) {
            try (Statement st = c.createStatement()) {
                st.execute("ROLLBACK; DISCARD ALL");
                c.setReadOnly(false);
                return true;
            } catch (SQLException e) {
                LOG.warn("ROLLBACK; DISCARD ALL in one batch failed ({}); trying a plain reset", e.getMessage());
                rollbackQuietly(c);
                boolean clean = reset(c);
                if (clean) {
                    pipelinedReset = false;
                }
                return clean;
            }
        }
        rollbackQuietly(c);
        return reset(c);
    }

    /** Leaves nothing behind for the next request: settings, temp tables, prepared statements, locks, LISTENs. */
    private static boolean reset(Connection c) {
        try {
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.execute("DISCARD ALL");
            }
            c.setAutoCommit(false);
            c.setReadOnly(false);
            return true;
        } catch (SQLException e) {
            LOG.warn("connection reset failed, evicting it: {}", e.getMessage());
            return false;
        }
    }

    private static boolean isConnectionLoss(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08");
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // broken connection: evicted by the caller
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing to do
        }
    }
}
