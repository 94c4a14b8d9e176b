package dev.backstop.gateway.core;

import dev.backstop.policy.Classification;
import dev.backstop.policy.Decision;
import dev.backstop.policy.ImpactEstimate;
import dev.backstop.policy.Outcome;
import dev.backstop.policy.Policy;
import dev.backstop.policy.Risk;
import dev.backstop.policy.StatementClassification;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the gateway intends to do with a request's text, computed without side effects on the
 * target database: classification, impact estimate, decision and recovery gate result.
 */
public record QueryPlan(
        String sql,
        String sqlSha256,
        Policy policy,
        Classification classification,
        List<ImpactEstimate> impacts,
        boolean impactUnknown,
        Decision decision,
        RecoveryGate.Result gate) {

    /** The same plan with another gate result (e.g. the execution-time checks and flush). */
    public QueryPlan withGate(RecoveryGate.Result g) {
        return new QueryPlan(sql, sqlSha256, policy, classification, impacts, impactUnknown, decision, g);
    }

    /** The same plan blocked by this gate result. */
    public QueryPlan blockedBy(RecoveryGate.Result g) {
        return new QueryPlan(sql, sqlSha256, policy, classification, impacts, impactUnknown,
                QueryPlanner.blockedByGate(decision, g), g);
    }

    public Outcome outcome() {
        return decision.outcome();
    }

    /**
     * Whether a passed flush of the recovery gate named a recovery point for each of these tables
     * (so a write to them is recoverable to just before this request).
     */
    public boolean gateCovers(java.util.Collection<dev.backstop.policy.TableRef> tables) {
        if (tables.isEmpty()) {
            return true;
        }
        if (gate == null || !gate.passed()) {
            return false;
        }
        java.util.Set<String> covered = new java.util.HashSet<>();
        gate.recoveryPoints().forEach(p -> covered.add(p.table()));
        return tables.stream().allMatch(t -> covered.contains(t.qualifiedName()));
    }

    public Risk risk() {
        return decision.risk();
    }

    public boolean allSafe() {
        return classification.statements().stream().allMatch(s -> s.risk() == Risk.SAFE && !s.write());
    }

    public List<String> operations() {
        return classification.statements().stream().map(StatementClassification::operation).toList();
    }

    public String operation() {
        List<String> ops = operations();
        return ops.size() == 1 ? ops.get(0) : null;
    }

    public List<Map<String, Object>> statementSummaries() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (StatementClassification s : classification.statements()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", s.index());
            m.put("start", s.start());
            m.put("end", s.end());
            m.put("operation", s.operation());
            m.put("tables", s.tables().stream().map(t -> t.qualifiedName()).toList());
            m.put("has_where", s.hasWhere());
            m.put("parse_ok", s.parseOk());
            m.put("risk", s.risk().name());
            m.put("reasons", s.reasons());
            m.put("table_recoverable", s.tableRecoverable());
            m.put("write", s.write());
            out.add(m);
        }
        return out;
    }

    public List<Map<String, Object>> gateSummary() {
        return gateSummary(gate);
    }

    public static List<Map<String, Object>> gateSummary(RecoveryGate.Result gate) {
        if (gate == null) {
            return null;
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (RecoveryGate.Check c : gate.checks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("check", c.name());
            m.put("table", c.table());
            m.put("passed", c.passed());
            m.put("detail", c.detail());
            out.add(m);
        }
        return out;
    }

    public List<Map<String, Object>> impactSummary() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ImpactEstimate i : impacts) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("table", i.table().qualifiedName());
            m.put("rows_affected", i.rowsAffected());
            m.put("table_rows", i.tableRows());
            m.put("source", i.source().name().toLowerCase(java.util.Locale.ROOT));
            out.add(m);
        }
        return out;
    }
}
