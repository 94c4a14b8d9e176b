package dev.backstop.policy;

import java.nio.file.Path;

/**
 * Reads policy JSON. Unknown keys, wrong types, unknown risk or operation names are refused with
 * the key named; all problems are reported at once. Keys missing from the file take their defaults.
 */
public final class PolicyLoader {
    private PolicyLoader() {
    }

    public static Policy defaults() {
        throw new UnsupportedOperationException("TODO");
    }

    public static Policy parse(String json) throws PolicyException {
        throw new UnsupportedOperationException("TODO");
    }

    public static Policy load(Path file) throws PolicyException {
        throw new UnsupportedOperationException("TODO");
    }
}
