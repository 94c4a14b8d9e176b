package dev.backstop.policy;

/** The three policy outcomes. {@link #wireName()} is the contract name used in JSON and audit. */
public enum Outcome {
    EXECUTE("execute"), APPROVAL_REQUIRED("approval_required"), BLOCK("block");

    private final String wireName;

    Outcome(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
