package dev.backstop.policy;

/**
 * How many rows a write touches, measured or estimated by the caller (the gateway), never by the
 * policy library itself.
 *
 * @param table        the written table
 * @param rowsAffected rows the write touches (EXPLAIN estimate or the real count before COMMIT)
 * @param tableRows    rows in the table (pg_class.reltuples or count); &lt;= 0 means unknown
 * @param source       where the figure comes from
 */
public record ImpactEstimate(TableRef table, long rowsAffected, long tableRows, Source source) {
    /**
     * EXPLAIN_ESTIMATE and ACTUAL_ROW_COUNT: rows the statements write to the table (both limits apply);
     * SIDE_EFFECT_CHANGED_ROWS: existing rows updated or deleted in a table the statements do not name
     * (a foreign key's ON DELETE CASCADE, a trigger, a function), measured before COMMIT: only the
     * percentage limit applies to it, since the same rows are also counted in the table's
     * ACTUAL_ROW_COUNT entry.
     */
    public enum Source { EXPLAIN_ESTIMATE, ACTUAL_ROW_COUNT, SIDE_EFFECT_CHANGED_ROWS }
}
