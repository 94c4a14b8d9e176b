package dev.backstop.bypass;

/** Quoting of the one configurable identifier (the state schema) that goes into SQL text. */
final class SqlIdentifiers {
    private SqlIdentifiers() {
    }

    /** A PostgreSQL quoted identifier: wrapped in double quotes, inner double quotes doubled. */
    static String quote(String identifier) {
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("identifier contains a NUL character");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** {@code "schema"."table"}. */
    static String table(String schema, String table) {
        return quote(schema) + "." + quote(table);
    }
}
