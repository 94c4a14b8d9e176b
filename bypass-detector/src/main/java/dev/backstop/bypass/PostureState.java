package dev.backstop.bypass;

import java.util.Locale;

/** design.md: GET /v1/posture -> {state: protected|degraded}. */
public enum PostureState {
    PROTECTED, DEGRADED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
