package dev.backstop.policy;

import java.util.List;

/**
 * The classification of one statement of a request's text.
 *
 * @param index        position of the statement in the text, from 0
 * @param start        offset (UTF-16 chars) of the statement's first character in the original text
 * @param end          offset one past its last character (excluding the terminating semicolon)
 * @param operation    canonical upper-case operation name (SELECT, DELETE, DROP TABLE, PARSE_FAILURE, ...)
 * @param tables       target tables (for writes: the written tables; for reads: the tables read)
 * @param hasWhere     a WHERE that actually restricts the target table (always-true WHERE counts as none)
 * @param parseOk      JSqlParser understood the statement
 * @param risk         risk of this statement
 * @param reasons      stable reason codes, most important first
 * @param tableRecoverable a CRITICAL op naming target tables the recovery gate can check
 * @param write        the statement may modify data or schema (anything not SAFE)
 * @param cascade      TRUNCATE/DROP with CASCADE
 * @param setColumns   for UPDATE/MERGE/ON CONFLICT DO UPDATE: columns assigned, lower-cased
 */
public record StatementClassification(
        int index,
        int start,
        int end,
        String text,
        String operation,
        List<TableRef> tables,
        boolean hasWhere,
        boolean parseOk,
        Risk risk,
        List<String> reasons,
        boolean tableRecoverable,
        boolean write,
        boolean cascade,
        List<String> setColumns) {

    public StatementClassification {
        tables = List.copyOf(tables);
        reasons = List.copyOf(reasons);
        setColumns = List.copyOf(setColumns);
    }
}
