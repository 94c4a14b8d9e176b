package dev.backstop.policy;

import java.util.List;

/**
 * What to do with a request's text.
 *
 * @param outcome              execute, approval_required or block
 * @param risk                 the final risk (after impact escalation)
 * @param reasons              stable reason codes explaining the outcome
 * @param recoveryGateRequired the recovery readiness gate must pass before execution
 * @param gateTables           the tables whose recovery points the gate must check (incl. groups)
 */
public record Decision(
        Outcome outcome,
        Risk risk,
        List<String> reasons,
        boolean recoveryGateRequired,
        List<TableRef> gateTables) {

    public Decision {
        reasons = List.copyOf(reasons);
        gateTables = List.copyOf(gateTables);
    }
}
