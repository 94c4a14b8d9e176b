package dev.backstop.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Layer 2: turns a classification, a policy and the caller's facts into a decision.
 * Deterministic, side-effect free, thread-safe. Never throws: an internal error blocks.
 * <p>Order (design.md "Layer 2"): impact escalation first (protected tables/columns, row and
 * percent limits, unknown impact), then: emergency pause -> block; agent quarantined -> block;
 * refused text (empty, transaction control) -> block; operation in block_operations -> block;
 * parse failure/unknown with block_unknown_or_parse_failure -> block; unknown impact with
 * unknown_impact_action=block -> block; unrecoverable CRITICAL with block_unrecoverable_operations
 * -> block; risk in require_approval_for_risks -> approval_required; else execute.
 */
public final class PolicyEngine {
    private PolicyEngine() {
    }

    public static Decision decide(Classification classification, Policy policy, DecisionContext context) {
        try {
            return decideUnsafe(classification, policy, context == null ? DecisionContext.NONE : context);
        } catch (RuntimeException e) {
            Risk r = classification == null ? Risk.CRITICAL : classification.risk();
            return new Decision(Outcome.BLOCK, r, List.of("internal_error"), false, List.of());
        }
    }

    private static Decision decideUnsafe(Classification c, Policy p, DecisionContext ctx) {
        Set<String> why = new LinkedHashSet<>(4);
        Risk risk = c.risk();
        boolean impactBlock = false;

        // --- escalation to IMPACT_CRITICAL ----------------------------------------------------
        Set<TableRef> escalatedTables = new TreeSet<>();
        for (StatementClassification s : c.statements()) {
            if (!writes(s)) {
                continue;
            }
            for (TableRef t : s.tables()) {
                String q = t.qualifiedName();
                if (p.protectedTables().contains(q)) {
                    why.add("protected_table:" + q);
                    escalatedTables.add(t);
                }
                Set<String> cols = p.protectedColumns().get(q);
                if (cols != null) {
                    for (String col : s.setColumns()) {
                        if (cols.contains(col)) {
                            why.add("protected_column:" + q + "." + col);
                            escalatedTables.add(t);
                        }
                    }
                }
            }
        }
        if (p.impactAnalysisEnabled()) {
            Set<TableRef> existingRowsTouched = tablesWhoseExistingRowsChange(c);
            for (ImpactEstimate ie : ctx.impacts()) {
                boolean sideEffect = ie.source() == ImpactEstimate.Source.SIDE_EFFECT_CHANGED_ROWS;
                boolean rows = !sideEffect && ie.rowsAffected() > p.maxWriteRowsWithoutCritical();
                // A plain INSERT changes no existing row: measured against a small (or empty) table it
                // would always exceed the percentage, so only the row limit applies to it.
                boolean pct = ie.tableRows() > 0 && (sideEffect || existingRowsTouched.contains(ie.table()))
                        && ie.rowsAffected() * 100.0 / ie.tableRows() > p.maxWritePercentWithoutCritical();
                if (rows) {
                    why.add("impact_rows_exceeded");
                }
                if (pct) {
                    why.add("impact_percent_exceeded");
                }
                if (rows || pct) {
                    escalatedTables.add(ie.table());
                }
                // A protected table written by rows the text does not name (a cascade, a trigger).
                String q = ie.table().qualifiedName();
                if (ie.rowsAffected() > 0 && p.protectedTables().contains(q) && !why.contains("protected_table:" + q)) {
                    why.add("protected_table:" + q);
                    escalatedTables.add(ie.table());
                }
            }
            if (ctx.impactUnknown()) {
                switch (p.unknownImpactAction()) {
                    case APPROVAL_REQUIRED -> {
                        why.add("impact_unknown");
                        for (StatementClassification s : c.statements()) {
                            if (writes(s)) {
                                escalatedTables.addAll(s.tables());
                            }
                        }
                    }
                    case BLOCK -> {
                        why.add("impact_unknown");
                        impactBlock = true;
                    }
                    case EXECUTE -> {
                    }
                }
            }
        }
        if (!escalatedTables.isEmpty()) {
            risk = Risk.max(risk, Risk.IMPACT_CRITICAL);
        }

        // --- decision order ------------------------------------------------------------------
        Outcome outcome = null;
        if (ctx.paused() && (ctx.pauseBlocksAll() || risk != Risk.SAFE)) {
            outcome = block(why, "emergency_pause");
        } else if (ctx.agentQuarantined() && (p.quarantineBlocksSafeQueries() || risk != Risk.SAFE)) {
            outcome = block(why, "agent_quarantined");
        } else if (c.empty()) {
            outcome = block(why, "empty_statement");
        } else if (anyReason(c, "transaction_control")) {
            outcome = block(why, "transaction_control");
        } else {
            String blockedOp = blockedOperation(c, p);
            if (blockedOp != null) {
                outcome = block(why, "blocked_operation:" + blockedOp);
            } else if (!c.parseOk() && p.blockUnknownOrParseFailure()) {
                outcome = block(why, "blocked_unknown_or_parse_failure");
            } else if (impactBlock) {
                outcome = block(why, "blocked_unknown_impact");
            } else if (p.blockUnrecoverableOperations() && unrecoverableCritical(c)) {
                outcome = block(why, "unrecoverable_operation");
            } else if (p.requireApprovalForRisks().contains(risk)) {
                outcome = Outcome.APPROVAL_REQUIRED;
                why.add("risk_requires_approval");
            } else {
                outcome = Outcome.EXECUTE;
            }
        }

        // --- recovery gate -------------------------------------------------------------------
        boolean gate = false;
        Set<TableRef> gateTables = new TreeSet<>();
        if (p.requireRecoveryForCritical() && outcome != Outcome.BLOCK) {
            for (StatementClassification s : c.statements()) {
                if (s.tableRecoverable()) {
                    gateTables.addAll(s.tables());
                    if (s.cascade() && p.cascadeRiskRequiresGroupReadiness()) {
                        why.add("cascade_requires_group_readiness");
                    }
                }
            }
            gateTables.addAll(escalatedTables);
            if (!gateTables.isEmpty()) {
                gate = true;
                addGroupMembers(gateTables, p.recoveryGroups(), why);
                why.add("recovery_gate_required");
            }
        }
        List<String> reasons = new ArrayList<>(why.size() + c.reasons().size());
        reasons.addAll(why);
        for (String r : c.reasons()) {
            if (!why.contains(r)) {
                reasons.add(r);
            }
        }
        return new Decision(outcome, risk, reasons, gate, new ArrayList<>(gateTables));
    }

    private static final Set<String> READ_OPERATIONS = Set.of("SELECT", "VALUES", "TABLE", "EXPLAIN", "SHOW");

    /** May modify the tables it names (reads with a data-modifying CTE count: fail closed). */
    /** Tables written by a statement that can change or remove rows that already exist (not a plain INSERT). */
    private static Set<TableRef> tablesWhoseExistingRowsChange(Classification c) {
        Set<TableRef> out = new java.util.HashSet<>();
        for (StatementClassification s : c.statements()) {
            boolean plainInsert = "INSERT".equals(s.operation()) && s.setColumns().isEmpty()
                    && !s.reasons().contains("data_modifying_cte");
            if (writes(s) && !plainInsert) {
                out.addAll(s.tables());
            }
        }
        return out;
    }

    static boolean writes(StatementClassification s) {
        if (!s.write() || !s.parseOk()) {
            return false;
        }
        return !READ_OPERATIONS.contains(s.operation()) || s.reasons().contains("data_modifying_cte");
    }

    private static Outcome block(Set<String> why, String reason) {
        why.add(reason);
        return Outcome.BLOCK;
    }

    private static boolean anyReason(Classification c, String reason) {
        for (StatementClassification s : c.statements()) {
            if (s.reasons().contains(reason)) {
                return true;
            }
        }
        return false;
    }

    private static String blockedOperation(Classification c, Policy p) {
        if (p.blockOperations().isEmpty()) {
            return null;
        }
        for (StatementClassification s : c.statements()) {
            if (p.blockOperations().contains(s.operation())) {
                return s.operation();
            }
        }
        return null;
    }

    /** A CRITICAL statement naming no table the recovery gate could check. */
    private static boolean unrecoverableCritical(Classification c) {
        for (StatementClassification s : c.statements()) {
            if (s.risk() == Risk.CRITICAL && !s.tableRecoverable()) {
                return true;
            }
        }
        return false;
    }

    /** A CRITICAL op on a recovery group member needs every member ready. */
    private static void addGroupMembers(Set<TableRef> tables, Map<String, List<String>> groups, Set<String> why) {
        if (groups.isEmpty()) {
            return;
        }
        Set<String> names = new TreeSet<>();
        for (TableRef t : tables) {
            names.add(t.qualifiedName());
        }
        for (Map.Entry<String, List<String>> g : groups.entrySet()) {
            boolean member = false;
            for (String m : g.getValue()) {
                if (names.contains(m)) {
                    member = true;
                    break;
                }
            }
            if (member) {
                why.add("recovery_group:" + g.getKey());
                for (String m : g.getValue()) {
                    int dot = m.indexOf('.');
                    tables.add(new TableRef(m.substring(0, dot), m.substring(dot + 1)));
                }
            }
        }
    }
}
