package dev.backstop.gateway.core;

import dev.backstop.gateway.api.QueryResponse;
import java.util.List;
import java.util.Map;

/** Builds the /v1/query response bodies from plans and results. */
public final class Responses {
    private Responses() {
    }

    public static QueryResponse executed(QueryPlan plan, ExecutionResult.Executed r, String auditId, String approvalId) {
        return new QueryResponse("executed", plan.risk().name(), plan.operation(), plan.operations(), null,
                r.columns(), r.rows(), r.rowCount(), r.truncated(), r.statements(), approvalId, null, plan.gateSummary(),
                auditId);
    }

    public static QueryResponse blocked(QueryPlan plan, String auditId, String approvalId) {
        return new QueryResponse("blocked", plan.risk().name(), plan.operation(), plan.operations(),
                plan.decision().reasons(), null, null, null, null, null, approvalId, null, plan.gateSummary(), auditId);
    }

    public static QueryResponse approvalRequired(QueryPlan plan, List<String> reasons, String approvalId,
                                                 String expiresAt, String auditId) {
        return new QueryResponse("approval_required", plan.risk().name(), plan.operation(), plan.operations(), reasons,
                null, null, null, null, null, approvalId, expiresAt, plan.gateSummary(), auditId);
    }

    public static Map<String, Object> failure(ExecutionResult.Failed f) {
        return Map.of("sqlstate", f.sqlstate() == null ? "" : f.sqlstate(), "statement_index", f.statementIndex(),
                "postgres_message", f.message() == null ? "" : f.message());
    }
}
