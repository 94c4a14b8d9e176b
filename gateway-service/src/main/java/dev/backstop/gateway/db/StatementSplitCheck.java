package dev.backstop.gateway.db;

import java.sql.SQLException;
import java.util.List;
import org.postgresql.core.NativeQuery;
import org.postgresql.core.Parser;

/**
 * Asks pgjdbc's own parser how it would send a statement. pgjdbc splits a Statement's text on
 * semicolons outside quotes and comments and sends each piece as its own Parse message; our lexer
 * already split the text, so each piece we send must come back as exactly one query. Anything else
 * means the two lexers disagree, and we refuse (fail closed) instead of guessing which one is right.
 */
public final class StatementSplitCheck {
    private StatementSplitCheck() {
    }

    /** Returns null if pgjdbc sees exactly one statement, otherwise why not. */
    public static String problem(String statementText) {
        try {
            List<NativeQuery> parts = Parser.parseJdbcSql(statementText, true, false, true, false, false);
            if (parts.size() != 1) {
                return "the JDBC driver would send " + parts.size() + " statements";
            }
            return null;
        } catch (SQLException | RuntimeException e) {
            return "the JDBC driver could not parse the statement: " + e.getMessage();
        }
    }
}
