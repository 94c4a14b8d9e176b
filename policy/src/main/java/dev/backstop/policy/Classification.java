package dev.backstop.policy;

import java.util.List;

/**
 * The classification of a request's whole text: its statements and the highest risk among them.
 *
 * @param risk      the highest risk of the statements (CRITICAL when the text could not be split)
 * @param parseOk   every statement parsed
 * @param reasons   text-level reason codes (e.g. empty_statement, statement_too_large) followed by
 *                  the statements' reasons, de-duplicated, in order
 * @param empty     the text holds no statement (only whitespace, comments or semicolons)
 */
public record Classification(
        String sql,
        List<StatementClassification> statements,
        Risk risk,
        boolean parseOk,
        List<String> reasons,
        boolean empty) {

    public Classification {
        statements = List.copyOf(statements);
        reasons = List.copyOf(reasons);
    }
}
