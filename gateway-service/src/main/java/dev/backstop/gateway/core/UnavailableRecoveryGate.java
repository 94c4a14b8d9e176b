package dev.backstop.gateway.core;

import dev.backstop.policy.Policy;
import dev.backstop.policy.TableRef;
import java.util.ArrayList;
import java.util.List;

/**
 * The gate of a gateway without a snapshot store ({@code snapshots.bucket} empty): every check fails
 * with {@code recovery_gate_unavailable} whenever the policy requires recovery for CRITICAL
 * operations, so such operations are never executed without a real gate.
 */
public final class UnavailableRecoveryGate implements RecoveryGate {
    public static final String REASON = "recovery_gate_unavailable";

    @Override
    public Result check(List<TableRef> tables, Policy policy) {
        return fail(tables, policy, CHECKS);
    }

    @Override
    public Result flush(List<TableRef> tables, Policy policy) {
        return fail(tables, policy, List.of(RECOVERY_POINT_FLUSHED));
    }

    private static Result fail(List<TableRef> tables, Policy policy, List<String> names) {
        if (!policy.requireRecoveryForCritical()) {
            return new Result(true, List.of(), List.of());
        }
        List<Check> checks = new ArrayList<>();
        List<TableRef> targets = tables.isEmpty() ? List.of(new TableRef("?", "?")) : tables;
        for (TableRef t : targets) {
            for (String name : names) {
                checks.add(new Check(name, t.qualifiedName(), false,
                        "no snapshot store is configured in this gateway (snapshots.bucket)"));
            }
        }
        return new Result(false, checks, List.of(REASON));
    }
}
