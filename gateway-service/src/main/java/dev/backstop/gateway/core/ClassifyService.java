package dev.backstop.gateway.core;

import dev.backstop.gateway.api.QueryRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/** POST /v1/classify: the plan for a text (classification, impact estimate, decision, gate) without running it. */
public final class ClassifyService {
    private final QueryPlanner planner;
    private final Auditor auditor;

    public ClassifyService(QueryPlanner planner, Auditor auditor) {
        this.planner = planner;
        this.auditor = auditor;
    }

    public Map<String, Object> classify(RequestContext ctx, QueryRequest req) {
        if (req == null || req.sql() == null) {
            throw new GatewayException(ErrorCode.MISSING_SQL);
        }
        QueryPlan plan = planner.plan(req.sql(), ctx.principal().name(), true);
        Map<String, Object> decision = new LinkedHashMap<>();
        decision.put("outcome", plan.outcome().wireName());
        decision.put("risk", plan.risk().name());
        decision.put("reasons", plan.decision().reasons());
        decision.put("recovery_gate_required", plan.decision().recoveryGateRequired());
        decision.put("gate_tables", plan.decision().gateTables().stream().map(t -> t.qualifiedName()).toList());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sql_sha256", plan.sqlSha256());
        out.put("risk", plan.classification().risk().name());
        out.put("parse_ok", plan.classification().parseOk());
        out.put("reasons", plan.classification().reasons());
        out.put("statements", plan.statementSummaries());
        out.put("decision", decision);
        out.put("impact", plan.impactSummary());
        out.put("impact_unknown", plan.impactUnknown());
        out.put("gate", plan.gateSummary());
        out.put("policy_version", plan.policy().version());
        auditor.record(ctx, QueryService.entry(auditor, ctx, plan, null).build(),
                AuditCompletion.builder(auditor.now(), "classified", 200, ctx.elapsedMillis())
                        .risk(plan.risk().name()).reasons(plan.decision().reasons()).build());
        return out;
    }
}
