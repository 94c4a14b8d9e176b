package dev.backstop.gateway.core;

import dev.backstop.alerts.Alert;
import dev.backstop.alerts.AlertEvent;
import dev.backstop.alerts.AlertSink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.gateway.api.QueryResponse;
import dev.backstop.gateway.auth.Role;
import dev.backstop.gateway.auth.TokenAuthenticator;
import dev.backstop.gateway.db.ApprovalStore;
import dev.backstop.policy.Outcome;
import dev.backstop.policy.Risk;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The approval lifecycle: pending -> approved -> executed | failed | blocked, or pending -> denied |
 * expired. Approving re-checks everything (SQL hash, expiry, policy, recovery gate) and executes at
 * most once, whoever else approves at the same time.
 */
public final class ApprovalService {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApprovalStore store;
    private final Auditor auditor;
    private final QueryPlanner planner;
    private final PlanRunner runner;
    private final SafetyState safety;
    private final AlertSink alerts;
    private final GatewayMetrics metrics;
    private final Clock clock;

    public ApprovalService(ApprovalStore store, Auditor auditor, QueryPlanner planner, PlanRunner runner,
                           SafetyState safety, AlertSink alerts, GatewayMetrics metrics, Clock clock) {
        this.store = store;
        this.auditor = auditor;
        this.planner = planner;
        this.runner = runner;
        this.safety = safety;
        this.alerts = alerts;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Persists a new pending approval for a planned request. Returns it. */
    public Approval create(String approvalId, QueryPlan plan, List<String> reasons, String requester,
                           String auditId, String requestReason) {
        Instant now = clock.instant();
        Approval a = new Approval(approvalId, now, now.plusSeconds(plan.policy().approvalTtlSeconds()), requester,
                auditId, plan.sql(), SecretScrubber.scrub(plan.sql()), plan.sqlSha256(), plan.policy().version(),
                plan.risk().name(), reasons, JSON.valueToTree(plan.statementSummaries()),
                plan.decision().recoveryGateRequired(),
                plan.decision().gateTables().stream().map(t -> t.qualifiedName()).toList(),
                requestReason, Approval.PENDING, null, null, null, null, null, null, null);
        try {
            store.insert(a);
        } catch (SQLException e) {
            throw new GatewayException(ErrorCode.INTERNAL_ERROR, "the approval could not be stored; nothing was executed");
        }
        alerts.send(Alert.builder(AlertEvent.APPROVAL_REQUESTED, now).source(Alerts.SOURCE).principal(requester)
                .sqlSha256(plan.sqlSha256()).table(Alerts.firstTable(plan))
                .summary("risk " + plan.risk() + ": " + String.join(", ", reasons))
                .recommendedAction("Review GET /v1/approvals/" + approvalId + ", then approve or deny it.")
                .detail("approval_id", approvalId).detail("risk", plan.risk().name()).build());
        return a;
    }

    public Approval get(String id) {
        expireDue();
        try {
            return store.find(id).orElseThrow(() -> new GatewayException(ErrorCode.APPROVAL_NOT_FOUND));
        } catch (SQLException e) {
            throw new GatewayException(ErrorCode.INTERNAL_ERROR, "approvals cannot be read");
        }
    }

    public List<Approval> list(String status, int limit) {
        expireDue();
        try {
            return store.list(status, limit);
        } catch (SQLException e) {
            throw new GatewayException(ErrorCode.INTERNAL_ERROR, "approvals cannot be read");
        }
    }

    public long pendingCount() {
        try {
            return store.countPending(clock.instant());
        } catch (SQLException e) {
            return -1;
        }
    }

    /** Marks overdue pending approvals expired (and alerts). Called lazily and periodically. */
    public void expireDue() {
        try {
            for (String id : store.expireDue(clock.instant())) {
                alerts.send(Alert.builder(AlertEvent.APPROVAL_EXPIRED, clock.instant()).source(Alerts.SOURCE)
                        .summary("approval " + id + " expired").detail("approval_id", id).build());
            }
        } catch (SQLException e) {
            // reads still fail closed: claim() refuses expired rows by time, not by status
        }
    }

    /** Waits until the approval is no longer pending (or the time is up). */
    public Approval await(String id, int seconds) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Approval a = get(id);
        while (!a.terminal() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            a = get(id);
        }
        return a;
    }

    /** Approves and, if everything still holds, executes. Returns the HTTP status and body. */
    public Map.Entry<Integer, Object> approve(RequestContext ctx, String id, String comment) {
        Approval a = checkDecider(ctx, id);
        AuditEntry.Builder entry = auditor.entry(ctx).sql(a.sqlScrubbed(), a.sqlSha256()).approvalId(a.id())
                .risk(a.risk()).decision("approve").reasons(a.reasons()).policyVersion(a.policyVersion());
        auditor.begin(ctx, entry.build());
        String auditId = entry.id();
        String approver = ctx.principal().name();
        try {
            Instant now = clock.instant();
            if (!store.claim(a.id(), approver, comment, now)) {
                Approval current = store.find(a.id()).orElseThrow();
                ErrorCode code = current.status().equals(Approval.PENDING) || current.status().equals(Approval.EXPIRED)
                        ? ErrorCode.APPROVAL_EXPIRED : ErrorCode.APPROVAL_NOT_PENDING;
                throw new GatewayException(code, null, Map.of("status", current.status()));
            }
            // Bound to the exact SQL: a changed row in the approvals table must not run.
            if (!TokenAuthenticator.sha256Hex(a.sqlText()).equals(a.sqlSha256())) {
                store.finish(a.id(), Approval.BLOCKED, null, JSON.valueToTree(Map.of("reason", "sql_hash_mismatch")),
                        null, clock.instant());
                return finishBlocked(auditId, ctx, a, List.of("sql_hash_mismatch"), null);
            }
            QueryPlan plan = planner.plan(a.sqlText(), a.requestedBy(), false);
            RecoveryGate.Result gate = plan.gate();
            if (plan.outcome() != Outcome.BLOCK && a.gateRequired() && gate == null) {
                // Escalated by impact when requested: the gate applies though this plan did not measure impact.
                gate = planner.checkGate(new dev.backstop.policy.Decision(plan.outcome(), plan.risk(), List.of(), true,
                        a.gateTables().stream().map(ApprovalService::table).toList()), plan.policy());
            }
            if (plan.outcome() == Outcome.BLOCK || (gate != null && !gate.passed())) {
                List<String> reasons = new java.util.ArrayList<>(plan.decision().reasons());
                if (gate != null) {
                    gate.reasons().stream().filter(r -> !reasons.contains(r)).forEach(reasons::add);
                }
                store.finish(a.id(), Approval.BLOCKED, null, JSON.valueToTree(Map.of("reasons", reasons)),
                        JSON.valueToTree(QueryPlan.gateSummary(gate)), clock.instant());
                if (gate != null && !gate.passed()) {
                    alerts.send(Alerts.gateFailed(clock.instant(), a.requestedBy(), plan, gate, auditId));
                }
                return finishBlocked(auditId, ctx, a, reasons, gate);
            }
            if (plan.decision().recoveryGateRequired() || a.gateRequired()) {
                List<dev.backstop.policy.TableRef> tables = plan.decision().recoveryGateRequired()
                        ? plan.decision().gateTables() : a.gateTables().stream().map(ApprovalService::table).toList();
                RecoveryGate.Result flushed = planner.flushGate(tables, plan.policy());
                RecoveryGate.Result all = gate == null ? flushed : gate.then(flushed);
                if (!all.passed()) {
                    store.finish(a.id(), Approval.BLOCKED, null, JSON.valueToTree(Map.of("reasons", all.reasons())),
                            JSON.valueToTree(QueryPlan.gateSummary(all)), clock.instant());
                    alerts.send(Alerts.gateFailed(clock.instant(), a.requestedBy(), plan, all, auditId));
                    List<String> reasons = new java.util.ArrayList<>(plan.decision().reasons());
                    all.reasons().stream().filter(x -> !reasons.contains(x)).forEach(reasons::add);
                    return finishBlocked(auditId, ctx, a, reasons, all);
                }
                gate = all;
            }
            QueryPlan gated = gate == null ? plan : plan.withGate(gate);
            ExecutionResult r = runner.run(gated, null, null);
            return finishExecution(ctx, a, gated, r, auditId, approver);
        } catch (GatewayException e) {
            complete(auditId, ctx, "error", e.code().httpStatus(), e.code(), e.getMessage(), a, approver, null);
            throw e;
        } catch (SQLException | RuntimeException e) {
            complete(auditId, ctx, "error", 500, ErrorCode.INTERNAL_ERROR, SecretScrubber.scrub(e.getMessage()), a,
                    approver, null);
            throw e instanceof RuntimeException re ? re : new GatewayException(ErrorCode.INTERNAL_ERROR);
        }
    }

    public Approval deny(RequestContext ctx, String id, String comment) {
        Approval a = checkDecider(ctx, id);
        AuditEntry.Builder entry = auditor.entry(ctx).sql(a.sqlScrubbed(), a.sqlSha256()).approvalId(a.id())
                .risk(a.risk()).decision("deny").reasons(a.reasons()).policyVersion(a.policyVersion());
        auditor.begin(ctx, entry.build());
        try {
            if (!store.deny(a.id(), ctx.principal().name(), comment, clock.instant())) {
                Approval current = store.find(a.id()).orElseThrow();
                ErrorCode code = current.status().equals(Approval.PENDING) || current.status().equals(Approval.EXPIRED)
                        ? ErrorCode.APPROVAL_EXPIRED : ErrorCode.APPROVAL_NOT_PENDING;
                throw new GatewayException(code, null, Map.of("status", current.status()));
            }
            if (!Risk.valueOf(a.risk()).equals(Risk.SAFE)) {
                Instant until = safety.recordRiskyAttempt(a.requestedBy(), "denied", UUID.fromString(entry.id()),
                        planner_policy());
                if (until != null) {
                    alertQuarantine(a.requestedBy(), until);
                }
            }
            alerts.send(Alert.builder(AlertEvent.APPROVAL_DENIED, clock.instant()).source(Alerts.SOURCE)
                    .principal(a.requestedBy()).sqlSha256(a.sqlSha256())
                    .summary("approval " + a.id() + " denied by " + ctx.principal().name())
                    .detail("approval_id", a.id()).detail("denied_by", ctx.principal().name()).build());
            complete(entry.id(), ctx, "denied", 200, null, null, a, ctx.principal().name(), null);
            return store.find(a.id()).orElseThrow();
        } catch (GatewayException e) {
            complete(entry.id(), ctx, "error", e.code().httpStatus(), e.code(), e.getMessage(), a,
                    ctx.principal().name(), null);
            throw e;
        } catch (SQLException e) {
            complete(entry.id(), ctx, "error", 500, ErrorCode.INTERNAL_ERROR, e.getMessage(), a,
                    ctx.principal().name(), null);
            throw new GatewayException(ErrorCode.INTERNAL_ERROR);
        }
    }

    private dev.backstop.policy.Policy planner_policy() {
        return runner.policy();
    }

    void alertQuarantine(String principal, Instant until) {
        alerts.send(Alert.builder(AlertEvent.AGENT_QUARANTINED, clock.instant()).source(Alerts.SOURCE)
                .principal(principal).summary(principal + " quarantined until " + until)
                .detail("until", until.toString()).build());
    }

    /** Operators only, never the requester, and the approval must exist. */
    private Approval checkDecider(RequestContext ctx, String id) {
        if (ctx.principal().role() != Role.OPERATOR) {
            throw new GatewayException(ErrorCode.FORBIDDEN, "agents can never approve or deny");
        }
        Approval a = get(id);
        if (a.requestedBy().equals(ctx.principal().name())) {
            throw new GatewayException(ErrorCode.SELF_APPROVAL_FORBIDDEN);
        }
        return a;
    }

    private Map.Entry<Integer, Object> finishExecution(RequestContext ctx, Approval a, QueryPlan plan,
                                                       ExecutionResult r, String auditId, String approver)
            throws SQLException {
        if (r instanceof ExecutionResult.Executed ex) {
            QueryResponse body = Responses.executed(plan, ex, auditId, a.id());
            store.finish(a.id(), Approval.EXECUTED, JSON.valueToTree(body), null, JSON.valueToTree(plan.gateSummary()),
                    clock.instant());
            metrics.query("execute", plan.risk().name());
            AuditCompletion.Builder c = AuditCompletion.builder(auditor.now(), "executed", 200, ctx.elapsedMillis())
                    .rowCount(ex.rowCount()).risk(plan.risk().name()).approvalId(a.id()).approver(approver)
                    .gate(plan.gateSummary()).recovery(plan.gate()).commit(ex.commit());
            auditor.complete(auditId, c.build());
            Alerts.dropped(alerts, clock.instant(), a.requestedBy(), plan, plan.gate(), auditId);
            return Map.entry(200, body);
        }
        GatewayException e = runner.toException(r);
        store.finish(a.id(), Approval.FAILED, null,
                JSON.valueToTree(Map.of("code", e.code().code(), "message", e.getMessage(), "details", e.details())),
                null, clock.instant());
        throw e;
    }

    private Map.Entry<Integer, Object> finishBlocked(String auditId, RequestContext ctx, Approval a, List<String> reasons,
                                                     RecoveryGate.Result gate) {
        metrics.query("block", a.risk());
        complete(auditId, ctx, "blocked", 403, null, null, a, ctx.principal().name(), gate);
        QueryResponse body = new QueryResponse("blocked", a.risk(), null, null, reasons, null, null, null, null, null,
                a.id(), null, QueryPlan.gateSummary(gate), auditId);
        return Map.entry(403, body);
    }

    private void complete(String auditId, RequestContext ctx, String outcome, int status, ErrorCode code, String message,
                          Approval a, String approver, RecoveryGate.Result gate) {
        auditor.complete(auditId, AuditCompletion.builder(auditor.now(), outcome, status, ctx.elapsedMillis())
                .error(code, message).risk(a.risk()).approvalId(a.id()).approver(approver)
                .gate(QueryPlan.gateSummary(gate)).build());
    }

    private static dev.backstop.policy.TableRef table(String qualified) {
        int dot = qualified.indexOf('.');
        return new dev.backstop.policy.TableRef(qualified.substring(0, dot), qualified.substring(dot + 1));
    }

    static JsonNode tree(Object o) {
        return JSON.valueToTree(o);
    }

    public Optional<Approval> find(String id) {
        try {
            return store.find(id);
        } catch (SQLException e) {
            throw new GatewayException(ErrorCode.INTERNAL_ERROR, "approvals cannot be read");
        }
    }
}
