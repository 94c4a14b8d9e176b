package dev.backstop.gateway.core;

import dev.backstop.gateway.GatewaySettings;
import dev.backstop.gateway.db.TargetExecutor;
import dev.backstop.policy.Policy;
import java.util.Map;

/** Executes a plan with the limits in force, and turns non-committed endings into stable errors. */
public final class PlanRunner {
    private final TargetExecutor executor;
    private final PolicyHolder policies;
    private final GatewaySettings settings;

    public PlanRunner(TargetExecutor executor, PolicyHolder policies, GatewaySettings settings) {
        this.executor = executor;
        this.policies = policies;
        this.settings = settings;
    }

    public Policy policy() {
        return policies.policy();
    }

    /**
     * @param requestedMaxRows the client's max_rows or null
     * @param guard            decides, right before COMMIT, whether the writes may commit (their real impact,
     *                         pause, quarantine, gate coverage); required whenever the plan writes
     */
    public ExecutionResult run(QueryPlan plan, Integer requestedMaxRows, TargetExecutor.RowGuard guard) {
        Policy p = plan.policy();
        long limit = Math.min(p.maxResultRows(), settings.getMaxResultRows());
        if (requestedMaxRows != null) {
            limit = Math.min(limit, requestedMaxRows);
        }
        long timeout = Math.min(p.statementTimeoutMs(), settings.getStatementTimeoutMs());
        boolean readOnly = plan.allSafe();
        if (!readOnly && guard == null) {
            // No write commits unchecked: a caller without a guard is a bug, and it must not reach the database.
            throw new IllegalStateException("a writing plan needs a commit guard");
        }
        return executor.execute(plan.sql(), plan.classification().statements(),
                new TargetExecutor.Options(readOnly, timeout, (int) Math.max(0, limit), readOnly ? null : guard,
                        !readOnly && (plan.decision().recoveryGateRequired()
                                || (plan.gate() != null && !plan.gate().recoveryPoints().isEmpty()))));
    }

    /**
     * The audit completion of an execution whose COMMIT lost its connection: outcome {@code outcome_unknown} (not
     * {@code error}: it may have committed), with the recovery points and the commit point it had, so that "restore
     * to just before it" (restore-tool {@code --before-audit}) works whether it committed or not.
     */
    public static AuditCompletion.Builder outcomeUnknown(String completedAt, double elapsedMillis, QueryPlan plan,
                                                         ExecutionResult.OutcomeUnknown u) {
        return AuditCompletion.builder(completedAt, "outcome_unknown", ErrorCode.OUTCOME_UNKNOWN.httpStatus(),
                        elapsedMillis)
                .error(ErrorCode.OUTCOME_UNKNOWN, ErrorCode.OUTCOME_UNKNOWN.defaultMessage() + " (" + u.message() + ")")
                .risk(plan.risk().name()).gate(plan.gateSummary()).recovery(plan.gate()).commit(u.commit());
    }

    public GatewayException toException(ExecutionResult r) {
        if (r instanceof ExecutionResult.Failed f) {
            return new GatewayException(ErrorCode.QUERY_FAILED,
                    "PostgreSQL refused statement " + f.statementIndex() + " (SQLSTATE " + f.sqlstate()
                            + "); the transaction was rolled back and nothing was committed",
                    Responses.failure(f));
        }
        if (r instanceof ExecutionResult.Refused x) {
            return new GatewayException(x.code(), x.message(), Map.of("statement_index", x.statementIndex()));
        }
        if (r instanceof ExecutionResult.OutcomeUnknown u) {
            return new GatewayException(ErrorCode.OUTCOME_UNKNOWN, null, Map.of("cause", u.message()));
        }
        return new GatewayException(ErrorCode.INTERNAL_ERROR, "unexpected execution result " + r.getClass().getSimpleName());
    }
}
