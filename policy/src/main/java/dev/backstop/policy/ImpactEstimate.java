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
    public enum Source { EXPLAIN_ESTIMATE, ACTUAL_ROW_COUNT }
}
