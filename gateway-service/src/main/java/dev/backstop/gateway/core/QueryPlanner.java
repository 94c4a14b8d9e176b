package dev.backstop.gateway.core;

import dev.backstop.gateway.auth.TokenAuthenticator;
import dev.backstop.gateway.db.TargetExecutor;
import dev.backstop.policy.Classification;
import dev.backstop.policy.Decision;
import dev.backstop.policy.DecisionContext;
import dev.backstop.policy.ImpactEstimate;
import dev.backstop.policy.Outcome;
import dev.backstop.policy.Policy;
import dev.backstop.policy.PolicyEngine;
import dev.backstop.policy.Risk;
import dev.backstop.policy.StatementClassification;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns SQL text into a {@link QueryPlan}: classify, add the gateway's own refusals, estimate the
 * impact of writes (EXPLAIN, read-only, rolled back), decide, and consult the recovery gate when
 * the decision requires it. Nothing here changes the target database.
 */
public final class QueryPlanner {
    public static final String TRANSACTION_CONTROL = "transaction_control";
    public static final String STATE_SCHEMA_ACCESS = "state_schema_access";

    private final PolicyHolder policies;
    private final TargetExecutor executor;
    private final RecoveryGate gate;
    private final SafetyState safety;
    private final GatewayMetrics metrics;
    private final String stateSchema;
    private final Pattern stateSchemaWord;
    private final long explainTimeoutMs;

    public QueryPlanner(PolicyHolder policies, TargetExecutor executor, RecoveryGate gate, SafetyState safety,
                        GatewayMetrics metrics, String stateSchema, long explainTimeoutMs) {
        this.policies = policies;
        this.executor = executor;
        this.gate = gate;
        this.safety = safety;
        this.metrics = metrics;
        this.stateSchema = stateSchema;
        this.stateSchemaWord = Pattern.compile("(?i)(?<![A-Za-z0-9_$])" + Pattern.quote(stateSchema) + "(?![A-Za-z0-9_$])");
        this.explainTimeoutMs = explainTimeoutMs;
    }

    /**
     * @param requester whose request it is (quarantine applies to them)
     * @param estimate  take an EXPLAIN estimate for writes when the policy enables impact analysis
     */
    public QueryPlan plan(String sql, String requester, boolean estimate) {
        Policy policy = policies.policy();
        long t0 = System.nanoTime();
        Classification cl = policies.classifier().classify(sql);
        metrics.classifyDuration((System.nanoTime() - t0) / 1e9);
        PauseStatus pause = safety.pause();
        boolean quarantined = safety.quarantined(requester);
        DecisionContext base = new DecisionContext(List.of(), false, pause.paused(), pause.blocksAll(), quarantined);
        Decision d = PolicyEngine.decide(cl, policy, base);
        List<ImpactEstimate> impacts = List.of();
        boolean unknown = false;

        List<String> refusals = gatewayRefusals(cl, sql);
        if (!refusals.isEmpty()) {
            List<String> reasons = new ArrayList<>(d.reasons());
            refusals.stream().filter(r -> !reasons.contains(r)).forEach(reasons::add);
            d = new Decision(Outcome.BLOCK, d.risk(), reasons, false, List.of());
        } else if (estimate && policy.impactAnalysisEnabled() && d.outcome() != Outcome.BLOCK
                && (!d.risk().atLeast(Risk.IMPACT_CRITICAL) || d.recoveryGateRequired())) {
            // Also for a statement already CRITICAL: a large write next to it puts its table under the
            // recovery gate too, and the gate's tables are stored with the approval.
            List<StatementClassification> writes = cl.statements().stream().filter(TargetExecutor::explainable).toList();
            if (!writes.isEmpty()) {
                Optional<List<ImpactEstimate>> est = executor.estimate(sql, writes, explainTimeoutMs);
                impacts = est.orElse(List.of());
                unknown = est.isEmpty();
                d = PolicyEngine.decide(cl, policy,
                        new DecisionContext(impacts, unknown, pause.paused(), pause.blocksAll(), quarantined));
            }
        }
        d = withLinkedTables(d, cl, policy);
        RecoveryGate.Result g = null;
        if (d.recoveryGateRequired() && d.outcome() != Outcome.BLOCK) {
            g = checkGate(d, policy);
            if (!g.passed()) {
                d = blocked(d, g);
            }
        }
        return new QueryPlan(sql, TokenAuthenticator.sha256Hex(sql), policy, cl, impacts, unknown, d, g);
    }

    /** Re-decides after execution measured the real row counts (the row guard tripped). */
    public QueryPlan replanWithActuals(QueryPlan plan, List<ImpactEstimate> actual, boolean unknown, String requester) {
        PauseStatus pause = safety.pause();
        Decision d = withLinkedTables(PolicyEngine.decide(plan.classification(), plan.policy(),
                new DecisionContext(actual, unknown, pause.paused(), pause.blocksAll(), safety.quarantined(requester))),
                plan.classification(), plan.policy());
        RecoveryGate.Result g = null;
        if (d.recoveryGateRequired() && d.outcome() != Outcome.BLOCK) {
            g = checkGate(d, plan.policy());
            if (!g.passed()) {
                d = blocked(d, g);
            }
        }
        return new QueryPlan(plan.sql(), plan.sqlSha256(), plan.policy(), plan.classification(), actual, unknown, d, g);
    }

    /**
     * Gate tables the foreign keys add: with {@code cascade_risk_requires_group_readiness}, every table a
     * TRUNCATE/DROP .. CASCADE reaches (tables referencing its targets, transitively; reason
     * {@code cascade_reaches:<table>}); with {@code foreign_key_grouping_enabled}, every table linked
     * to a gate table by foreign keys in either direction ({@code foreign_key_group:<table>}). If the
     * foreign keys cannot be read, the decision is blocked ({@code foreign_keys_unavailable}).
     */
    private Decision withLinkedTables(Decision d, Classification cl, Policy policy) {
        if (!d.recoveryGateRequired() || d.outcome() == Outcome.BLOCK) {
            return d;
        }
        List<dev.backstop.policy.TableRef> cascaded = cl.statements().stream()
                .filter(s -> s.cascade() && s.tableRecoverable()).flatMap(s -> s.tables().stream()).toList();
        boolean cascade = policy.cascadeRiskRequiresGroupReadiness() && !cascaded.isEmpty();
        if (!cascade && !policy.foreignKeyGroupingEnabled()) {
            return d;
        }
        Optional<dev.backstop.gateway.db.ForeignKeys> fks = executor.foreignKeys();
        List<String> reasons = new ArrayList<>(d.reasons());
        if (fks.isEmpty()) {
            reasons.add("foreign_keys_unavailable");
            return new Decision(Outcome.BLOCK, d.risk(), reasons, true, d.gateTables());
        }
        java.util.Set<dev.backstop.policy.TableRef> tables = new java.util.TreeSet<>(d.gateTables());
        if (cascade) {
            for (var t : fks.get().withReferencing(cascaded)) {
                if (tables.add(t)) {
                    reasons.add("cascade_reaches:" + t.qualifiedName());
                }
            }
        }
        if (policy.foreignKeyGroupingEnabled()) {
            for (var t : fks.get().withLinked(List.copyOf(tables))) {
                if (tables.add(t)) {
                    reasons.add("foreign_key_group:" + t.qualifiedName());
                }
            }
        }
        return new Decision(d.outcome(), d.risk(), reasons, true, List.copyOf(tables));
    }

    /**
     * Right before COMMIT of an unapproved request: would these actual impacts be executed without
     * approval, now (pause and quarantine read again), and is every table the recovery gate must
     * protect covered by the recovery point this request flushed?
     */
    public boolean allowsCommit(QueryPlan plan, List<ImpactEstimate> actual, boolean unknown, String requester) {
        Decision d = decideNow(plan, actual, unknown, requester);
        return d.outcome() == Outcome.EXECUTE && (!d.recoveryGateRequired() || plan.gateCovers(d.gateTables()));
    }

    /**
     * Right before COMMIT of an approved request: an operator approved the text, so the limits do not
     * apply; but not if it is blocked now (pause, quarantine, ...), and never without a recovery point
     * for every table the real impact puts under the recovery gate.
     */
    public boolean allowsApprovedCommit(QueryPlan plan, List<ImpactEstimate> actual, boolean unknown, String requester) {
        Decision d = decideNow(plan, actual, unknown, requester);
        return d.outcome() != Outcome.BLOCK && (!d.recoveryGateRequired() || plan.gateCovers(d.gateTables()));
    }

    private Decision decideNow(QueryPlan plan, List<ImpactEstimate> actual, boolean unknown, String requester) {
        PauseStatus pause = safety.pause();
        return PolicyEngine.decide(plan.classification(), plan.policy(),
                new DecisionContext(actual, unknown, pause.paused(), pause.blocksAll(), safety.quarantined(requester)));
    }

    public RecoveryGate.Result checkGate(Decision d, Policy policy) {
        return checkGate(d.gateTables(), policy);
    }

    public RecoveryGate.Result checkGate(List<dev.backstop.policy.TableRef> tables, Policy policy) {
        return guarded(() -> gate.check(tables, policy), RecoveryGate.CHECKS, tables);
    }

    /**
     * Execution time, after the checks passed: the sidecar flushes up to now and the recovery points
     * it returns are verified. A failed result means the statement must not run.
     */
    public RecoveryGate.Result flushGate(List<dev.backstop.policy.TableRef> tables, Policy policy) {
        return guarded(() -> gate.flush(tables, policy), List.of(RecoveryGate.RECOVERY_POINT_FLUSHED), tables);
    }

    private RecoveryGate.Result guarded(java.util.function.Supplier<RecoveryGate.Result> call, List<String> names,
                                        List<dev.backstop.policy.TableRef> tables) {
        RecoveryGate.Result g;
        try {
            g = call.get();
        } catch (RuntimeException e) {
            // fail closed: a gate that cannot answer has failed
            String detail = "the recovery gate failed: " + SecretScrubber.scrub(String.valueOf(e.getMessage()));
            List<RecoveryGate.Check> checks = new ArrayList<>();
            for (var t : tables.isEmpty() ? List.of(new dev.backstop.policy.TableRef("?", "?")) : tables) {
                names.forEach(n -> checks.add(new RecoveryGate.Check(n, t.qualifiedName(), false, detail)));
            }
            g = RecoveryGate.Result.of(checks);
        }
        g.checks().stream().filter(c -> !c.passed()).forEach(c -> metrics.gateFailure(c.name()));
        return g;
    }

    /** The decision with the gate's failures added: blocked. */
    public static Decision blockedByGate(Decision d, RecoveryGate.Result g) {
        return blocked(d, g);
    }

    private static Decision blocked(Decision d, RecoveryGate.Result g) {
        List<String> reasons = new ArrayList<>(d.reasons());
        g.reasons().stream().filter(r -> !reasons.contains(r)).forEach(reasons::add);
        return new Decision(Outcome.BLOCK, d.risk(), reasons, d.recoveryGateRequired(), d.gateTables());
    }

    /** Refusals the gateway adds to the policy's: they protect the gateway's own guarantees. */
    private List<String> gatewayRefusals(Classification cl, String sql) {
        List<String> out = new ArrayList<>();
        for (StatementClassification s : cl.statements()) {
            if (s.reasons().contains(TRANSACTION_CONTROL) && !out.contains(TRANSACTION_CONTROL)) {
                out.add(TRANSACTION_CONTROL);
            }
            boolean stateTable = s.tables().stream()
                    .anyMatch(t -> t.schema().toLowerCase(Locale.ROOT).equals(stateSchema));
            if (stateTable && !out.contains(STATE_SCHEMA_ACCESS)) {
                out.add(STATE_SCHEMA_ACCESS);
            }
        }
        // Also any mention of the state schema's name (function bodies, dynamic SQL, quoted forms):
        // agents have no business with the gateway's audit and approvals.
        if (!out.contains(STATE_SCHEMA_ACCESS) && stateSchemaWord.matcher(sql).find()) {
            out.add(STATE_SCHEMA_ACCESS);
        }
        return out;
    }
}
