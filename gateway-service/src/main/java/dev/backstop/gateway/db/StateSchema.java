package dev.backstop.gateway.db;

/**
 * Qualified names of the gateway's state tables. The schema name is validated by configuration as a
 * lower-case identifier, and is quoted anyway.
 */
public record StateSchema(String name) {
    public StateSchema {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("stateSchema must be a lower-case identifier: " + name);
        }
    }

    public String table(String table) {
        return '"' + name + "\".\"" + table + '"';
    }
}
