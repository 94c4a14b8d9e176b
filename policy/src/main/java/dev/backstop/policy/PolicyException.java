package dev.backstop.policy;

import java.util.List;

/** A policy file was refused. Every problem found is listed, each naming its key. */
public class PolicyException extends Exception {
    /** One problem: the JSON key (dotted path for nested keys) and why it was refused. */
    public record Problem(String key, String reason) {
        @Override
        public String toString() {
            return key + ": " + reason;
        }
    }

    private final List<Problem> problems;

    public PolicyException(List<Problem> problems) {
        super(render(problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String render(List<Problem> problems) {
        StringBuilder sb = new StringBuilder("invalid policy:");
        for (Problem p : problems) {
            sb.append("\n  ").append(p);
        }
        return sb.toString();
    }
}
