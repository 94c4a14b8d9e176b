package dev.backstop.policy.classify;

import dev.backstop.policy.StatementClassification;

/** Lets the public classifier turn an analyzer result into its record without widening StatementResult. */
public final class StatementResultAccess {
    private StatementResultAccess() {
    }

    public static StatementClassification toRecord(StatementResult r, int index, int start, int end, String text) {
        return r.toRecord(index, start, end, text);
    }
}
