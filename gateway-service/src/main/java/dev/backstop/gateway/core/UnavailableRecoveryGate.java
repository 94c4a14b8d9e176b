package dev.backstop.gateway.core;

import dev.backstop.policy.Policy;
import dev.backstop.policy.TableRef;
import java.util.ArrayList;
import java.util.List;

/**
 * The gate of a gateway that cannot read recovery points (no snapshot store reader yet): every
 * check fails with {@code recovery_gate_unavailable} whenever the policy requires recovery for
 * CRITICAL operations, so such operations are never executed without a real gate.
 */
public final class UnavailableRecoveryGate implements RecoveryGate {
    public static final String REASON = "recovery_gate_unavailable";

    @Override
    public Result check(List<TableRef> tables, Policy policy) {
        if (!policy.requireRecoveryForCritical()) {
            return new Result(true, List.of(), List.of());
        }
        List<Check> checks = new ArrayList<>();
        List<TableRef> targets = tables.isEmpty() ? List.of(new TableRef("?", "?")) : tables;
        for (TableRef t : targets) {
            for (String name : CHECKS) {
                checks.add(new Check(name, t.qualifiedName(), false, "no recovery gate is available in this gateway"));
            }
        }
        return new Result(false, checks, List.of(REASON));
    }
}
