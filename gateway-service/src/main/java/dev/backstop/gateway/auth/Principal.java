package dev.backstop.gateway.auth;

import java.util.Set;

/** An authenticated caller. Built only from the configured principal its token matched. */
public record Principal(String name, Role role, Set<String> scopes) {
    public Principal {
        scopes = Set.copyOf(scopes);
    }

    /** {@code area:*} grants every action of the area; there is no global wildcard. */
    public boolean hasScope(String required) {
        if (scopes.contains(required)) {
            return true;
        }
        int colon = required.indexOf(':');
        return colon > 0 && scopes.contains(required.substring(0, colon) + ":*");
    }
}
