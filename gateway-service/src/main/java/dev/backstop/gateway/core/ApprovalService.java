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
import dev.backstop.gateway.db.AuditReader;
import dev.backstop.policy.Outcome;
import dev.backstop.policy.Risk;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApprovalService.class);
    /** Reason: the real impact put a table under the recovery gate that the approval's flush did not cover. */
    public static final String IMPACT_NEEDS_GATE = "impact_requires_recovery_point";

    private final ApprovalStore store;
    private final Auditor auditor;
    private final QueryPlanner planner;
    private final PlanRunner runner;
    private final SafetyState safety;
    private final AlertSink alerts;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private final AuditReader auditRecords;
    private final Duration outcomeOverdueAfter;

    public ApprovalService(ApprovalStore store, Auditor auditor, QueryPlanner planner, PlanRunner runner,
                           SafetyState safety, AlertSink alerts, GatewayMetrics metrics, Clock clock,
                           AuditReader auditRecords, Duration outcomeOverdueAfter) {
        this.auditRecords = auditRecords;
        this.outcomeOverdueAfter = outcomeOverdueAfter;
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
            // Bound to the exact SQL the agent sent: a changed row in the approvals table must not run,
            // whether its hash was changed with it or not (the request's audit record is hash-chained).
            if (!TokenAuthenticator.sha256Hex(a.sqlText()).equals(a.sqlSha256()) || !matchesItsRequest(a)) {
                store.finish(a.id(), Approval.BLOCKED, null, JSON.valueToTree(Map.of("reason", "sql_hash_mismatch")),
                        null, clock.instant());
                return finishBlocked(auditId, ctx, a, List.of("sql_hash_mismatch"), null);
            }
            QueryPlan plan = planner.plan(a.sqlText(), a.requestedBy(), false);
            // Tables put under the gate when the request was made (e.g. by its impact estimate) stay
            // under it, whatever this plan, made without an estimate, finds.
            List<dev.backstop.policy.TableRef> gateTables = gateTables(plan, a);
            RecoveryGate.Result gate = null;
            if (plan.outcome() != Outcome.BLOCK && !gateTables.isEmpty()) {
                gate = planner.checkGate(gateTables, plan.policy());
            }
            if (plan.outcome() == Outcome.BLOCK || (gate != null && !gate.passed())) {
                RecoveryGate.Result failed = gate != null ? gate : plan.gate();
                List<String> reasons = new java.util.ArrayList<>(plan.decision().reasons());
                if (failed != null) {
                    failed.reasons().stream().filter(r -> !reasons.contains(r)).forEach(reasons::add);
                }
                store.finish(a.id(), Approval.BLOCKED, null, JSON.valueToTree(Map.of("reasons", reasons)),
                        JSON.valueToTree(QueryPlan.gateSummary(failed)), clock.instant());
                if (failed != null && !failed.passed()) {
                    alerts.send(Alerts.gateFailed(clock.instant(), a.requestedBy(), plan, failed, auditId));
                }
                return finishBlocked(auditId, ctx, a, reasons, failed);
            }
            if (!gateTables.isEmpty()) {
                RecoveryGate.Result flushed = planner.flushGate(gateTables, plan.policy());
                RecoveryGate.Result all = gate.then(flushed);
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
            ExecutionResult r = runApproved(gated, a);
            if (r instanceof ExecutionResult.RolledBackOverLimit over) {
                // Its real impact put more tables under the gate than were flushed (an estimate that
                // was too low, a cascade): nothing committed; gate those too and run it once more.
                QueryPlan measured = planner.replanWithActuals(gated, over.impacts(), over.impactUnknown(),
                        a.requestedBy());
                if (measured.outcome() != Outcome.BLOCK && measured.decision().recoveryGateRequired()) {
                    java.util.Set<dev.backstop.policy.TableRef> more = new java.util.TreeSet<>(gateTables);
                    more.addAll(measured.decision().gateTables());
                    List<dev.backstop.policy.TableRef> wider = List.copyOf(more);
                    RecoveryGate.Result again = planner.checkGate(wider, plan.policy());
                    again = again.passed() ? again.then(planner.flushGate(wider, plan.policy())) : again;
                    if (!again.passed()) {
                        store.finish(a.id(), Approval.BLOCKED, null, JSON.valueToTree(Map.of("reasons", again.reasons())),
                                JSON.valueToTree(QueryPlan.gateSummary(again)), clock.instant());
                        alerts.send(Alerts.gateFailed(clock.instant(), a.requestedBy(), plan, again, auditId));
                        List<String> reasons = new java.util.ArrayList<>(measured.decision().reasons());
                        again.reasons().stream().filter(x -> !reasons.contains(x)).forEach(reasons::add);
                        return finishBlocked(auditId, ctx, a, reasons, again);
                    }
                    gated = plan.withGate(again);
                    r = runApproved(gated, a);
                }
            }
            return finishExecution(ctx, a, gated, r, auditId, approver);
        } catch (GatewayException e) {
            if (!e.completionWritten()) {
                complete(auditId, ctx, "error", e.code().httpStatus(), e.code(), e.getMessage(), a, approver, null);
            }
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

    /**
     * Records that an approval a stopped gateway left {@code approved} has an unknown outcome: only once every bound
     * on its execution has passed ({@link ErrorCode#APPROVAL_NOT_OVERDUE} before), never by its requester, and
     * audited. Its error names the execution's audit record when the chain has exactly one, so
     * {@code restore --before-audit} can follow it. Nothing runs.
     */
    public Approval settle(RequestContext ctx, String id, String comment) {
        Approval a = checkDecider(ctx, id);
        AuditEntry.Builder entry = auditor.entry(ctx).sql(a.sqlScrubbed(), a.sqlSha256()).approvalId(a.id())
                .risk(a.risk()).decision("settle").reasons(a.reasons()).policyVersion(a.policyVersion());
        auditor.begin(ctx, entry.build());
        String by = ctx.principal().name();
        try {
            Instant now = clock.instant();
            Instant cutoff = now.minus(outcomeOverdueAfter);
            if (!Approval.APPROVED.equals(a.status())) {
                throw new GatewayException(ErrorCode.APPROVAL_NOT_PENDING, "only an approval that still says approved"
                        + " can be settled", Map.of("status", a.status()));
            }
            if (!a.decidedAt().isBefore(cutoff)) {
                throw new GatewayException(ErrorCode.APPROVAL_NOT_OVERDUE, "approved at " + a.decidedAt()
                        + "; it can be settled from " + a.decidedAt().plus(outcomeOverdueAfter),
                        Map.of("decided_at", a.decidedAt().toString(),
                                "settle_after_seconds", outcomeOverdueAfter.toSeconds()));
            }
            List<String> executions = auditRecords.approvalExecutions(a.id());
            Map<String, Object> error = new java.util.LinkedHashMap<>();
            error.put("code", ErrorCode.OUTCOME_UNKNOWN.code());
            error.put("message", "settled by " + by + ": the gateway that ran it stopped before recording its"
                    + " outcome, so it may have committed");
            error.put("settled_by", by);
            if (comment != null) {
                error.put("comment", comment);
            }
            if (executions.size() == 1) {
                error.put("audit_id", executions.get(0));
            }
            if (!store.settleUnknown(a.id(), JSON.valueToTree(error), cutoff, now)) {
                Approval current = store.find(a.id()).orElseThrow();
                throw new GatewayException(ErrorCode.APPROVAL_NOT_PENDING, "only an approval that still says approved"
                        + " can be settled", Map.of("status", current.status()));
            }
            complete(entry.id(), ctx, "outcome_unknown", 200, null, null, a, by, null);
            return store.find(a.id()).orElseThrow();
        } catch (GatewayException e) {
            complete(entry.id(), ctx, "error", e.code().httpStatus(), e.code(), e.getMessage(), a, by, null);
            throw e;
        } catch (SQLException e) {
            complete(entry.id(), ctx, "error", 500, ErrorCode.INTERNAL_ERROR, e.getMessage(), a, by, null);
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
            metrics.query("execute", plan.risk().name());
            // Committed: the audit says so first; nothing after this may turn it into an error.
            AuditCompletion.Builder c = AuditCompletion.builder(auditor.now(), "executed", 200, ctx.elapsedMillis())
                    .rowCount(ex.rowCount()).risk(plan.risk().name()).approvalId(a.id()).approver(approver)
                    .gate(plan.gateSummary()).recovery(plan.gate()).commit(ex.commit());
            auditor.complete(auditId, c.build());
            try {
                store.finish(a.id(), Approval.EXECUTED, JSON.valueToTree(body), null, JSON.valueToTree(plan.gateSummary()),
                        clock.instant());
            } catch (SQLException | RuntimeException e) {
                LOG.error("approval {} executed (audit {}) but its status could not be recorded: {}", a.id(), auditId,
                        e.getMessage());
            }
            Alerts.dropped(alerts, clock.instant(), a.requestedBy(), plan, plan.gate(), auditId);
            return Map.entry(200, body);
        }
        if (r instanceof ExecutionResult.RolledBackOverLimit over) {
            // Rolled back before COMMIT: blocked now, or its real impact needs a recovery point of a
            // table the gate did not flush. Nothing ran; the agent can send it again.
            QueryPlan now = planner.replanWithActuals(plan, over.impacts(), over.impactUnknown(), a.requestedBy());
            List<String> reasons = new java.util.ArrayList<>(now.decision().reasons());
            if (now.outcome() != Outcome.BLOCK && !reasons.contains(IMPACT_NEEDS_GATE)) {
                reasons.add(IMPACT_NEEDS_GATE);
            }
            store.finish(a.id(), Approval.BLOCKED, null, JSON.valueToTree(Map.of("reasons", reasons)),
                    JSON.valueToTree(QueryPlan.gateSummary(now.gate())), clock.instant());
            return finishBlocked(auditId, ctx, a, reasons, now.gate());
        }
        GatewayException e = runner.toException(r);
        if (r instanceof ExecutionResult.OutcomeUnknown u) {
            // Not "failed": it may have committed. The approval names its execution's audit record, which holds
            // the commit point (restore-tool --before-audit follows it), and nobody may approve it again.
            auditor.complete(auditId, PlanRunner.outcomeUnknown(auditor.now(), ctx.elapsedMillis(), plan, u)
                    .approvalId(a.id()).approver(approver).build());
            alerts.send(Alerts.outcomeUnknown(clock.instant(), a.requestedBy(), plan, auditId, a.id()));
            try {
                store.finish(a.id(), Approval.OUTCOME_UNKNOWN, null, JSON.valueToTree(Map.of("code", e.code().code(),
                        "message", e.getMessage(), "details", e.details(), "audit_id", auditId)), null, clock.instant());
            } catch (SQLException | RuntimeException x) {
                // The answer must stay "outcome unknown"; the audit record says so, and restore finds it there.
                LOG.error("approval {} has an unknown outcome (audit {}) but its status could not be recorded: {}",
                        a.id(), auditId, x.getMessage());
            }
            throw e.withCompletionWritten();
        }
        store.finish(a.id(), Approval.FAILED, null,
                JSON.valueToTree(Map.of("code", e.code().code(), "message", e.getMessage(), "details", e.details())),
                null, clock.instant());
        throw e;
    }

    /**
     * Runs an approved plan. Checked again right before COMMIT: a pause or quarantine that came during
     * the flush, and the real impact (every table it puts under the gate must have been flushed).
     */
    private ExecutionResult runApproved(QueryPlan gated, Approval a) {
        return runner.run(gated, null,
                (actual, unknown) -> planner.allowsApprovedCommit(gated, actual, unknown, a.requestedBy()));
    }

    /**
     * The approval is the one its request's intact audit record opened: same SQL hash, same requester, same
     * approval id (the pointer to the record lives in the approvals row too, so the record must point back).
     */
    private boolean matchesItsRequest(Approval a) throws SQLException {
        if (a.requestAuditId() == null) {
            return false;
        }
        Optional<AuditReader.RequestRecord> r = auditRecords.intactRequest(a.requestAuditId());
        // A request held after its write was rolled back names the approval in its completion, which is written
        // just after the response: give it a moment to land.
        for (int i = 0; i < 20 && r.isPresent() && r.get().approvalId() == null; i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            r = auditRecords.intactRequest(a.requestAuditId());
        }
        return r.map(x -> a.sqlSha256().equals(x.sqlSha256()) && a.requestedBy().equals(x.principal())
                && a.id().equals(x.approvalId())).orElse(false);
    }

    /** The union of the tables the gate protected when the request was made and those it protects now. */
    private static List<dev.backstop.policy.TableRef> gateTables(QueryPlan plan, Approval a) {
        java.util.Set<dev.backstop.policy.TableRef> all = new java.util.TreeSet<>();
        if (plan.decision().recoveryGateRequired()) {
            all.addAll(plan.decision().gateTables());
        }
        if (a.gateRequired()) {
            java.util.Map<String, dev.backstop.policy.TableRef> known = new java.util.HashMap<>();
            // The statements' own names first: the classifier parsed them from the SQL, quoting included.
            plan.classification().statements().forEach(s -> s.tables().forEach(t -> known.putIfAbsent(t.qualifiedName(), t)));
            plan.decision().gateTables().forEach(t -> known.putIfAbsent(t.qualifiedName(), t));
            a.gateTables().forEach(t -> all.add(storedTable(t, known)));
        }
        return List.copyOf(all);
    }

    /**
     * A gate table stored with the approval as "schema.table" text. That text is ambiguous when a name contains a
     * dot, so it is first matched to the tables the same SQL names now (the approval is bound to its hash); only a
     * name no longer among them (a recovery group member the policy has since dropped) is split at its first dot.
     */
    static dev.backstop.policy.TableRef storedTable(String stored, java.util.Map<String, dev.backstop.policy.TableRef> known) {
        dev.backstop.policy.TableRef t = known.get(stored);
        return t != null ? t : table(stored);
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
