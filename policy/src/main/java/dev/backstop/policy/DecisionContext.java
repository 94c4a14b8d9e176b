package dev.backstop.policy;

import java.util.List;

/**
 * Facts about the world the decision depends on, gathered by the caller.
 *
 * @param impacts          impact measurements for the request's writes; empty if none were taken
 * @param impactUnknown    impact analysis was attempted for a write and could not produce a figure
 * @param paused           emergency pause is on
 * @param pauseBlocksAll   the pause also blocks SAFE statements
 * @param agentQuarantined the requesting principal is quarantined
 */
public record DecisionContext(
        List<ImpactEstimate> impacts,
        boolean impactUnknown,
        boolean paused,
        boolean pauseBlocksAll,
        boolean agentQuarantined) {

    public static final DecisionContext NONE = new DecisionContext(List.of(), false, false, false, false);

    public DecisionContext {
        impacts = List.copyOf(impacts);
    }
}
