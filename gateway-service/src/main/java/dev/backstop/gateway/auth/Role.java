package dev.backstop.gateway.auth;

import java.util.Locale;

/** Agents send SQL; operators approve, deny and administer. An agent can never approve. */
public enum Role {
    AGENT, OPERATOR;

    public static Role parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
