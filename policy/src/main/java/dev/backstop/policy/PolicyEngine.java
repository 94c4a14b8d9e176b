package dev.backstop.policy;

/**
 * Layer 2: turns a classification, a policy and the caller's facts into a decision.
 * Deterministic, side-effect free, thread-safe.
 */
public final class PolicyEngine {
    private PolicyEngine() {
    }

    public static Decision decide(Classification classification, Policy policy, DecisionContext context) {
        throw new UnsupportedOperationException("TODO");
    }
}
