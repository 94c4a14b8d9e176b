package dev.backstop.gateway.core;

import dev.backstop.policy.Policy;
import dev.backstop.policy.SqlClassifier;

/** The policy in force and the classifier configured for it (max_statement_bytes). */
public final class PolicyHolder {
    private record Current(Policy policy, SqlClassifier classifier) {
    }

    private volatile Current current;

    public PolicyHolder(Policy policy) {
        set(policy);
    }

    public void set(Policy policy) {
        this.current = new Current(policy, new SqlClassifier(policy.maxStatementBytes()));
    }

    public Policy policy() {
        return current.policy();
    }

    public SqlClassifier classifier() {
        return current.classifier();
    }
}
