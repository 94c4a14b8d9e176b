package dev.backstop.gateway.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backstop.policy.ImpactEstimate;
import java.util.List;

/** The closed set of ways an execution can end. Only {@link Executed} committed anything. */
public sealed interface ExecutionResult {

    record Column(String name, String type) {
    }

    @com.fasterxml.jackson.databind.annotation.JsonNaming(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    record StatementResult(int index, String operation, long rowCount) {
    }

    /** Committed. columns/rows are those of the last statement that returned rows. commit may be null. */
    record Executed(List<Column> columns, List<List<JsonNode>> rows, long rowCount, boolean truncated,
                    List<StatementResult> statements, CommitPoint commit) implements ExecutionResult {
    }

    /**
     * Where a gated statement's transaction stood right before COMMIT: {@code walInsertLsn} (text
     * X/Y) is the WAL insert position read inside the transaction, {@code xid} its transaction id.
     */
    record CommitPoint(String walInsertLsn, String xid) {
    }

    /** Rolled back because the actual affected rows exceeded what the policy allows without approval. */
    record RolledBackOverLimit(List<ImpactEstimate> impacts, boolean impactUnknown) implements ExecutionResult {
    }

    /** PostgreSQL refused a statement; rolled back. */
    record Failed(int statementIndex, String sqlstate, String message) implements ExecutionResult {
    }

    /** Refused before sending anything (boundary mismatch, session SET, ...). */
    record Refused(ErrorCode code, int statementIndex, String message) implements ExecutionResult {
    }

    /**
     * The connection broke while committing: nobody knows whether it committed. Never retried. {@code commit}: where
     * the transaction stood right before COMMIT (as in {@link Executed}; null when not recorded), so it can still be
     * restored to just before the statement, which is right whether it committed or not.
     */
    record OutcomeUnknown(String message, CommitPoint commit) implements ExecutionResult {
    }
}
