package dev.backstop.gateway.core;

import dev.backstop.alerts.Alert;
import dev.backstop.alerts.AlertEvent;
import dev.backstop.alerts.AlertSink;

import dev.backstop.gateway.GatewaySettings;
import dev.backstop.gateway.api.QueryRequest;
import dev.backstop.gateway.api.ApprovalView;
import dev.backstop.gateway.api.QueryResponse;
import dev.backstop.policy.Outcome;
import dev.backstop.policy.Risk;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POST /v1/query: plan, audit (durably, before anything runs), then block, hold for approval or
 * execute under the row guard, and complete the audit record with what happened.
 */
public final class QueryService {
    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);
    public static final String ROLLED_BACK_OVER_LIMIT = "rolled_back_over_limit";

    private final QueryPlanner planner;
    private final PlanRunner runner;
    private final ApprovalService approvals;
    private final Auditor auditor;
    private final SafetyState safety;
    private final AlertSink alerts;
    private final GatewayMetrics metrics;
    private final GatewaySettings settings;

    public QueryService(QueryPlanner planner, PlanRunner runner, ApprovalService approvals, Auditor auditor,
                        SafetyState safety, AlertSink alerts, GatewayMetrics metrics, GatewaySettings settings) {
        this.planner = planner;
        this.runner = runner;
        this.approvals = approvals;
        this.auditor = auditor;
        this.safety = safety;
        this.alerts = alerts;
        this.metrics = metrics;
        this.settings = settings;
    }

    /** Returns the HTTP status and body. */
    public Map.Entry<Integer, Object> query(RequestContext ctx, QueryRequest req) {
        validate(req);
        String requester = ctx.principal().name();
        QueryPlan plan = planner.plan(req.sql(), requester, true);
        String approvalId = plan.outcome() == Outcome.APPROVAL_REQUIRED ? UUID.randomUUID().toString() : null;
        AuditEntry.Builder entry = entry(ctx, plan, approvalId);
        auditor.begin(ctx, entry.build());
        String auditId = entry.id();
        try {
            return switch (plan.outcome()) {
                case BLOCK -> block(ctx, plan, auditId);
                case APPROVAL_REQUIRED -> hold(ctx, plan, plan.decision().reasons(), approvalId, auditId, req);
                case EXECUTE -> execute(ctx, plan, auditId, req);
            };
        } catch (GatewayException e) {
            if (e.completionWritten()) {
                throw e;
            }
            metrics.query("error", plan.risk().name());
            auditor.complete(auditId, AuditCompletion.builder(auditor.now(), "error", e.code().httpStatus(),
                    ctx.elapsedMillis()).error(e.code(), SecretScrubber.scrub(e.getMessage()))
                    .sqlstate(e.details().get("sqlstate") instanceof String s ? s : null)
                    .risk(plan.risk().name()).build());
            throw e;
        } catch (RuntimeException e) {
            LOG.error("query {} failed", auditId, e);
            auditor.complete(auditId, AuditCompletion.builder(auditor.now(), "error", 500, ctx.elapsedMillis())
                    .error(ErrorCode.INTERNAL_ERROR, SecretScrubber.scrub(String.valueOf(e.getMessage())))
                    .risk(plan.risk().name()).build());
            throw new GatewayException(ErrorCode.INTERNAL_ERROR);
        }
    }

    private void validate(QueryRequest req) {
        if (req == null || req.sql() == null) {
            throw new GatewayException(ErrorCode.MISSING_SQL);
        }
        if (req.sql().indexOf('\0') >= 0) {
            // PostgreSQL cannot receive it (the protocol ends strings at NUL): refused here, not by a broken connection.
            throw new GatewayException(ErrorCode.INVALID_REQUEST, "sql contains a NUL character (\\u0000)",
                    Map.of("field", "sql"));
        }
        if (req.maxRows() != null && req.maxRows() < 0) {
            throw new GatewayException(ErrorCode.INVALID_REQUEST, "max_rows must be >= 0", Map.of("field", "max_rows"));
        }
        if (req.waitSeconds() != null && (req.waitSeconds() < 0 || req.waitSeconds() > settings.getMaxWaitSeconds())) {
            throw new GatewayException(ErrorCode.INVALID_REQUEST,
                    "wait_seconds must be between 0 and " + settings.getMaxWaitSeconds(), Map.of("field", "wait_seconds"));
        }
    }

    static AuditEntry.Builder entry(Auditor auditor, RequestContext ctx, QueryPlan plan, String approvalId) {
        return auditor.entry(ctx).sql(SecretScrubber.scrub(plan.sql()), plan.sqlSha256())
                .statements(plan.statementSummaries()).risk(plan.risk().name())
                .decision(plan.outcome().wireName()).reasons(plan.decision().reasons()).approvalId(approvalId)
                .policyVersion(plan.policy().version()).gate(plan.gateSummary());
    }

    private AuditEntry.Builder entry(RequestContext ctx, QueryPlan plan, String approvalId) {
        return entry(auditor, ctx, plan, approvalId);
    }

    private Map.Entry<Integer, Object> block(RequestContext ctx, QueryPlan plan, String auditId) {
        metrics.query("block", plan.risk().name());
        countRiskyAttempt(ctx, plan, auditId);
        if (plan.classification().statements().stream().anyMatch(
                s -> s.operation().equals("DROP DATABASE") || s.operation().equals("DROP SCHEMA"))) {
            alerts.send(Alert.builder(AlertEvent.DANGEROUS_OPERATION_BLOCKED, auditor.clock().instant())
                    .source(Alerts.SOURCE).principal(ctx.principal().name()).sqlSha256(plan.sqlSha256())
                    .summary("blocked " + String.join(", ", plan.operations())).detail("audit_id", auditId).build());
        }
        if (plan.gate() != null && !plan.gate().passed()) {
            alerts.send(Alerts.gateFailed(auditor.clock().instant(), ctx.principal().name(), plan, plan.gate(), auditId));
        }
        auditor.complete(auditId, AuditCompletion.builder(auditor.now(), "blocked", 403, ctx.elapsedMillis())
                .risk(plan.risk().name()).reasons(plan.decision().reasons()).gate(plan.gateSummary()).build());
        return Map.entry(403, Responses.blocked(plan, auditId, null));
    }

    /** Blocked attempts of risky statements count towards quarantine, except those blocked by pause or quarantine. */
    private void countRiskyAttempt(RequestContext ctx, QueryPlan plan, String auditId) {
        String who = ctx.principal().name();
        if (plan.risk() == Risk.SAFE || safety.pause().paused() || safety.quarantined(who)) {
            return;
        }
        try {
            Instant until = safety.recordRiskyAttempt(who, "blocked", UUID.fromString(auditId), plan.policy());
            if (until != null) {
                approvals.alertQuarantine(who, until);
            }
        } catch (SQLException e) {
            LOG.error("risky attempt of {} not recorded: {}", who, e.getMessage());
        }
    }

    private Map.Entry<Integer, Object> hold(RequestContext ctx, QueryPlan plan, List<String> reasons, String approvalId,
                                            String auditId, QueryRequest req) {
        Approval a = approvals.create(approvalId, plan, reasons, ctx.principal().name(), auditId, req.reason());
        metrics.query("approval_required", plan.risk().name());
        auditor.complete(auditId, AuditCompletion.builder(auditor.now(), "approval_required", 202, ctx.elapsedMillis())
                .risk(plan.risk().name()).reasons(reasons).approvalId(approvalId).gate(plan.gateSummary()).build());
        int wait = req.waitSeconds() == null ? 0 : req.waitSeconds();
        if (wait > 0) {
            Approval done = approvals.await(approvalId, wait);
            if (done.status().equals(Approval.EXECUTED) && done.result() != null) {
                return Map.entry(200, done.result());
            }
            if (done.terminal()) {
                return Map.entry(409, ApprovalView.of(done));
            }
        }
        return Map.entry(202, Responses.approvalRequired(plan, reasons, approvalId, a.expiresAt().toString(), auditId));
    }

    private Map.Entry<Integer, Object> execute(RequestContext ctx, QueryPlan planned, String auditId, QueryRequest req) {
        String who = ctx.principal().name();
        QueryPlan plan = planned;
        if (planned.decision().recoveryGateRequired()) {
            // The checks ran when the plan was made (just now); the flush names the recovery points.
            RecoveryGate.Result flushed = planner.flushGate(planned.decision().gateTables(), planned.policy());
            RecoveryGate.Result all = planned.gate() == null ? flushed : planned.gate().then(flushed);
            if (!all.passed()) {
                return block(ctx, planned.blockedBy(all), auditId);
            }
            plan = planned.withGate(all);
        }
        QueryPlan run = plan;
        ExecutionResult r = runner.run(run, req.maxRows(),
                (actual, unknown) -> planner.allowsCommit(run, actual, unknown, who));
        if (r instanceof ExecutionResult.Executed ex) {
            metrics.query("execute", plan.risk().name());
            auditor.complete(auditId, AuditCompletion.builder(auditor.now(), "executed", 200, ctx.elapsedMillis())
                    .rowCount(ex.rowCount()).risk(plan.risk().name()).gate(plan.gateSummary()).recovery(plan.gate())
                    .commit(ex.commit()).build());
            Alerts.dropped(alerts, auditor.clock().instant(), who, plan, plan.gate(), auditId);
            return Map.entry(200, Responses.executed(plan, ex, auditId, null));
        }
        if (r instanceof ExecutionResult.RolledBackOverLimit over) {
            // The real row counts exceeded the limits: nothing committed; now it needs approval.
            QueryPlan replanned = planner.replanWithActuals(plan, over.impacts(), over.impactUnknown(), who);
            List<String> reasons = new ArrayList<>(replanned.decision().reasons());
            boolean stoppedByState = reasons.contains("emergency_pause") || reasons.contains("agent_quarantined");
            if (!stoppedByState && !reasons.contains(ROLLED_BACK_OVER_LIMIT)) {
                reasons.add(ROLLED_BACK_OVER_LIMIT);
            }
            if (replanned.outcome() == Outcome.BLOCK) {
                metrics.query("block", replanned.risk().name());
                auditor.complete(auditId, AuditCompletion.builder(auditor.now(), "blocked", 403, ctx.elapsedMillis())
                        .risk(replanned.risk().name()).reasons(reasons).gate(replanned.gateSummary()).build());
                QueryResponse body = Responses.blocked(replanned, auditId, null);
                return Map.entry(403, new QueryResponse(body.status(), body.risk(), body.operation(), body.operations(),
                        reasons, null, null, null, null, null, null, null, body.gate(), auditId));
            }
            String approvalId = UUID.randomUUID().toString();
            return hold(ctx, replanned, reasons, approvalId, auditId, req);
        }
        if (r instanceof ExecutionResult.OutcomeUnknown u) {
            metrics.query("error", plan.risk().name());
            auditor.complete(auditId, PlanRunner.outcomeUnknown(auditor.now(), ctx.elapsedMillis(), plan, u).build());
            alerts.send(Alerts.outcomeUnknown(auditor.clock().instant(), who, plan, auditId, null));
            throw runner.toException(r).withCompletionWritten();
        }
        throw runner.toException(r);
    }
}
