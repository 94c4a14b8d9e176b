package dev.backstop.policy.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a token stream at top-level semicolons, as PostgreSQL does for a simple-query string.
 * Empty statements (only comments or nothing between semicolons) are dropped. A semicolon inside a
 * string, dollar quote, comment or quoted identifier is part of that token and never splits.
 * Known limitation: SQL-standard function bodies (BEGIN ATOMIC ... END) are split at their inner
 * semicolons; every resulting piece fails closed (parse failure or transaction_control).
 */
public final class StatementSplitter {
    private StatementSplitter() {
    }

    public static List<StatementSpan> split(List<Token> all) {
        List<StatementSpan> result = new ArrayList<>(2);
        List<Token> current = new ArrayList<>();
        boolean comments = false;
        for (Token t : all) {
            if (t.kind() == TokenKind.COMMENT) {
                if (!current.isEmpty()) {
                    comments = true;
                }
                continue;
            }
            if (t.isPunct(";")) {
                flush(result, current, comments);
                current = new ArrayList<>();
                comments = false;
                continue;
            }
            current.add(t);
        }
        flush(result, current, comments);
        return result;
    }

    private static void flush(List<StatementSpan> result, List<Token> tokens, boolean comments) {
        if (tokens.isEmpty()) {
            return;
        }
        Token first = tokens.get(0);
        Token last = tokens.get(tokens.size() - 1);
        // a comment after the last token was counted; only comments strictly inside matter
        result.add(new StatementSpan(first.start(), last.end(), List.copyOf(tokens), comments));
    }
}
