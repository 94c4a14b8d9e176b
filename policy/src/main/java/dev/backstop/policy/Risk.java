package dev.backstop.policy;

/** Risk levels, lowest to highest. The order of the constants is the order of severity. */
public enum Risk {
    SAFE, LOW, MEDIUM, HIGH, IMPACT_CRITICAL, CRITICAL;

    public boolean atLeast(Risk other) {
        return compareTo(other) >= 0;
    }

    public static Risk max(Risk a, Risk b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
