package dev.backstop.snapshot;

import java.util.List;

/** Result of a check: ok only when no problem was found. Problems are readable sentences for operators. */
public record Verification(boolean ok, List<String> problems) {
    public Verification {
        problems = List.copyOf(problems);
        if (ok && !problems.isEmpty()) {
            throw new IllegalArgumentException("ok with problems");
        }
    }

    public static Verification of(List<String> problems) {
        return new Verification(problems.isEmpty(), problems);
    }

    public static Verification failed(String problem) {
        return new Verification(false, List.of(problem));
    }
}
