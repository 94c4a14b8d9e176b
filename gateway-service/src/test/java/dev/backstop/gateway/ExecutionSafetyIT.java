package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.ExecutionResult;
import dev.backstop.gateway.db.TargetExecutor;
import dev.backstop.policy.Risk;
import dev.backstop.policy.StatementClassification;
import dev.backstop.policy.TableRef;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The executor's own defences, independent of the classifier: we hand it statement ranges that a
 * buggy lexer could produce and check that nothing but the exact classified text ever runs.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ExecutionSafetyIT {
    static HikariDataSource pool;
    static PgDatabase db;
    static TargetExecutor executor;

    @BeforeAll
    static void start(PgDatabase database) throws Exception {
        db = database;
        db.execute("CREATE TABLE t (id int)", "INSERT INTO t VALUES (1), (2), (3)");
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(db.jdbcUrl());
        hc.setUsername(db.user());
        hc.setPassword(db.password());
        hc.setAutoCommit(false);
        hc.setMaximumPoolSize(1);
        hc.addDataSourceProperty("preferQueryMode", "extended");
        pool = new HikariDataSource(hc);
        executor = new TargetExecutor(pool, -1);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    private static StatementClassification stmt(int index, String sql, int start, int end, String op, Risk risk,
                                                boolean write) {
        return new StatementClassification(index, start, end, sql.substring(start, end), op,
                List.of(new TableRef("public", "t")), false, true, risk, List.of(), false, write, false, List.of());
    }

    private static TargetExecutor.Options writeOptions() {
        return new TargetExecutor.Options(false, 5000, 100, (impacts, unknown) -> true);
    }

    @Test
    void aRangeHoldingTwoStatementsIsRefusedBeforeAnythingRuns() throws Exception {
        // As if our lexer had missed the semicolon: one "statement" covering two.
        String sql = "SELECT 1; DELETE FROM t";
        ExecutionResult r = executor.execute(sql, List.of(stmt(0, sql, 0, sql.length(), "SELECT", Risk.SAFE, false)),
                new TargetExecutor.Options(true, 5000, 100, null));
        ExecutionResult.Refused refused = assertInstanceOf(ExecutionResult.Refused.class, r);
        assertEquals(ErrorCode.STATEMENT_BOUNDARY_MISMATCH, refused.code());
        assertEquals(3L, ((Number) db.queryValue("SELECT count(*) FROM t")).longValue());
    }

    @Test
    void lexerDisagreementsWithTheDriverFailClosed() throws Exception {
        // Texts where pgjdbc's lexer and PostgreSQL's differ: pgjdbc sees a ';' PostgreSQL does not.
        // '/*/' opens a comment for PostgreSQL but opens and closes one for pgjdbc; an E'' string at
        // offset 1 is read by pgjdbc as a standard string ending at \'.
        for (String sql : List.of("SELECT 1 /*/ ; DELETE FROM t */", "E'\\'; DELETE FROM t; --'")) {
            ExecutionResult r = executor.execute(sql, List.of(stmt(0, sql, 0, sql.length(), "SELECT", Risk.SAFE, false)),
                    new TargetExecutor.Options(true, 5000, 100, null));
            ExecutionResult.Refused refused = assertInstanceOf(ExecutionResult.Refused.class, r, sql);
            assertEquals(ErrorCode.STATEMENT_BOUNDARY_MISMATCH, refused.code());
        }
        assertEquals(3L, ((Number) nonNull(db.queryValue("SELECT count(*) FROM t"))).longValue());
    }

    @Test
    void aRangeCutInsideAStringFailsInPostgresAndRollsBackEverything() throws Exception {
        // As if our lexer had split inside a literal: PostgreSQL sees a broken statement and the
        // transaction (including the earlier, valid INSERT) rolls back.
        String sql = "INSERT INTO t VALUES (9); SELECT 'a;b'";
        int cut = sql.indexOf(';', sql.indexOf('\''));
        ExecutionResult r = executor.execute(sql, List.of(
                stmt(0, sql, 0, 24, "INSERT", Risk.LOW, true),
                stmt(1, sql, 26, cut, "SELECT", Risk.SAFE, false)), writeOptions());
        ExecutionResult.Failed failed = assertInstanceOf(ExecutionResult.Failed.class, r);
        assertEquals(1, failed.statementIndex());
        assertEquals("42601", failed.sqlstate()); // syntax error: unterminated quoted string
        assertEquals(0L, ((Number) nonNull(db.queryValue("SELECT count(*) FROM t WHERE id = 9"))).longValue());
    }

    @Test
    void rowGuardRollsBackBeforeCommit() throws Exception {
        String sql = "DELETE FROM t WHERE id > 0";
        ExecutionResult r = executor.execute(sql, List.of(stmt(0, sql, 0, sql.length(), "DELETE", Risk.MEDIUM, true)),
                new TargetExecutor.Options(false, 5000, 100, (impacts, unknown) -> {
                    assertEquals(3, impacts.get(0).rowsAffected());
                    assertEquals(3, impacts.get(0).tableRows()); // never analyzed: count(*) before the write
                    return false;
                }));
        ExecutionResult.RolledBackOverLimit over = assertInstanceOf(ExecutionResult.RolledBackOverLimit.class, r);
        assertEquals("public.t", over.impacts().get(0).table().qualifiedName());
        assertEquals(3L, ((Number) nonNull(db.queryValue("SELECT count(*) FROM t"))).longValue());
    }

    @Test
    void statementTimeoutApplies() throws Exception {
        String sql = "SELECT pg_sleep(5)";
        ExecutionResult r = executor.execute(sql, List.of(stmt(0, sql, 0, sql.length(), "SELECT", Risk.SAFE, false)),
                new TargetExecutor.Options(true, 100, 100, null));
        assertEquals("57014", assertInstanceOf(ExecutionResult.Failed.class, r).sqlstate()); // query_canceled
        assertTrue(pool.getHikariPoolMXBean() == null || pool.getHikariPoolMXBean().getActiveConnections() == 0);
    }

    /** A read sent in one round trip sets its own statement_timeout for its transaction only (SET LOCAL). */
    @Test
    void aOneTripReadSetsItsTimeoutForItsTransactionOnly() {
        long before = executor.oneTripReads();
        String show = "SHOW statement_timeout";
        List<StatementClassification> st = List.of(stmt(0, show, 0, show.length(), "SHOW", Risk.SAFE, false));
        ExecutionResult own = executor.execute(show, st, new TargetExecutor.Options(true, 1234, 100, null));
        assertEquals("[[\"1234ms\"]]", assertInstanceOf(ExecutionResult.Executed.class, own).rows().toString());
        // -1 is the session's own value here (the executor was built with -1): nothing is set, the server default shows
        ExecutionResult session = executor.execute(show, st, new TargetExecutor.Options(true, -1, 100, null));
        assertEquals("[[\"0\"]]", assertInstanceOf(ExecutionResult.Executed.class, session).rows().toString());
        assertEquals(before + 2, executor.oneTripReads());
    }

    private static Object nonNull(Object o) {
        assertTrue(o != null);
        return o;
    }
}
