package dev.backstop.gateway.db;

import dev.backstop.gateway.core.ExecutionResult;
import dev.backstop.gateway.core.ExecutionResult.StatementResult;
import dev.backstop.gateway.core.SecretScrubber;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.NativeQuery;
import org.postgresql.core.Parser;
import org.postgresql.core.TransactionState;

/**
 * A request of one SAFE statement in one round trip instead of two: BEGIN READ ONLY, [SET LOCAL
 * statement_timeout], the statement, ROLLBACK and DISCARD ALL go out as five separate commands (a Parse
 * message each, so PostgreSQL still refuses a second command hidden in the statement) followed by a
 * single Sync. The transaction is READ ONLY by our own BEGIN; ROLLBACK ends it and DISCARD ALL resets the
 * session before the connection goes back to the pool, exactly as the two-trip path does.
 *
 * <p>pgjdbc splits a Statement's text into commands itself, so the commands are joined into one text:
 * before anything is sent, pgjdbc's own parser is asked how it would split that text, and unless it gives
 * back exactly our commands, with the statement as the same single command it would send alone, the
 * caller takes the two-trip path. The agent's text is never re-cut: a disagreement is a refusal to
 * pipeline, not a guess.
 */
final class OneTripRead {
    private static final String BEGIN = "BEGIN READ ONLY";
    private static final String ROLLBACK = "ROLLBACK";
    private static final String RESET = "DISCARD ALL";

    /** The joined text and where the agent's statement is among its commands. */
    record Pipeline(String text, int statementPosition, int commands) {
    }

    /**
     * What a one-trip run gave, and whether the connection is clean for the pool. {@code failedOutsideTransaction}:
     * the error came when no transaction was open (pgjdbc saw the server idle at the end), so not from the agent's
     * statement, which would have left our READ ONLY transaction aborted: from DISCARD ALL after our ROLLBACK.
     */
    record Outcome(ExecutionResult result, boolean clean, boolean failedOutsideTransaction) {
    }

    private OneTripRead() {
    }

    /**
     * The pipeline for {@code statement}, with {@code timeoutMs} set for this transaction if not null; null
     * when pgjdbc would not send it as exactly our commands.
     */
    static Pipeline plan(String statement, Long timeoutMs) {
        List<String> commands = new ArrayList<>();
        commands.add(BEGIN);
        if (timeoutMs != null) {
            commands.add("SET LOCAL statement_timeout = " + timeoutMs); // a number of ours, not input
        }
        int position = commands.size();
        commands.add(statement);
        commands.add(ROLLBACK);
        commands.add(RESET);
        // A newline before the semicolon that follows the statement: a trailing "-- comment" ends there.
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < commands.size(); i++) {
            if (i > 0) {
                text.append(i == position + 1 ? "\n;" : ";");
            }
            text.append(commands.get(i));
        }
        try {
            List<NativeQuery> alone = parse(statement);
            List<NativeQuery> parts = parse(text.toString());
            if (alone.size() != 1 || parts.size() != commands.size()) {
                return null;
            }
            for (int i = 0; i < parts.size(); i++) {
                String expected = i == position ? alone.get(0).nativeSql : commands.get(i);
                if (!parts.get(i).nativeSql.strip().equals(expected.strip())) {
                    return null;
                }
            }
            return new Pipeline(text.toString(), position, commands.size());
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    /** How pgjdbc's Statement.execute(String) splits a text (escape processing off, no parameters). */
    private static List<NativeQuery> parse(String text) throws SQLException {
        return Parser.parseJdbcSql(text, true, false, true, false, false);
    }

    /**
     * Sends the pipeline and reads the statement's result. On an error the transaction is rolled back and the
     * session reset (the server skipped our ROLLBACK and DISCARD ALL); if that fails, the connection is not
     * clean.
     */
    static Outcome run(Connection c, Pipeline p, int statementIndex, String operation, int maxRows) {
        try {
            c.setAutoCommit(true); // our BEGIN opens the transaction, not pgjdbc's
            ExecutionResult result = sendAndRead(c, p, statementIndex, operation, maxRows);
            BaseConnection pg = c.unwrap(BaseConnection.class);
            boolean clean = pg.getTransactionState() == TransactionState.IDLE;
            c.setAutoCommit(false);
            return new Outcome(result, clean, false);
        } catch (SQLException e) {
            ExecutionResult failed = new ExecutionResult.Failed(statementIndex, e.getSQLState(),
                    SecretScrubber.scrub(e.getMessage()));
            boolean outside = state(c) == TransactionState.IDLE;
            return new Outcome(failed, rollbackAndReset(c), outside);
        }
    }

    private static ExecutionResult sendAndRead(Connection c, Pipeline p, int statementIndex, String operation,
                                               int maxRows) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setEscapeProcessing(false);
            st.setMaxRows(maxRows + 1);
            boolean hasRows = st.execute(p.text());
            ResultRows rows = ResultRows.NONE;
            long count = 0;
            for (int i = 0; i < p.commands(); i++) {
                if (i > 0) {
                    hasRows = st.getMoreResults();
                }
                if (i != p.statementPosition()) {
                    continue;
                }
                if (hasRows) {
                    try (var rs = st.getResultSet()) {
                        rows = ResultRows.read(rs, maxRows);
                    }
                    count = rows.returned();
                } else {
                    count = Math.max(0, st.getLargeUpdateCount());
                }
            }
            List<StatementResult> results = List.of(new StatementResult(statementIndex, operation, count));
            return new ExecutionResult.Executed(rows.columns(), rows.rows(), count, rows.truncated(), results, null);
        }
    }

    private static TransactionState state(Connection c) {
        try {
            return c.unwrap(BaseConnection.class).getTransactionState();
        } catch (SQLException e) {
            return null;
        }
    }

    /** After a failed pipeline: end the aborted transaction and reset the session; false if that failed. */
    private static boolean rollbackAndReset(Connection c) {
        try {
            BaseConnection pg = c.unwrap(BaseConnection.class);
            try (Statement st = c.createStatement()) {
                if (pg.getTransactionState() != TransactionState.IDLE) {
                    st.execute(ROLLBACK);
                }
                st.execute(RESET);
            }
            c.setAutoCommit(false);
            return pg.getTransactionState() == TransactionState.IDLE;
        } catch (SQLException e) {
            return false;
        }
    }
}
