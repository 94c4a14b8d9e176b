package dev.backstop.snapshot;

import java.util.Objects;

/** A table of a database, names exactly as PostgreSQL stores them. */
public record TableRef(String database, String schema, String name) implements Comparable<TableRef> {
    public TableRef {
        requireName(database, "database");
        requireName(schema, "schema");
        requireName(name, "table name");
    }

    /** Parses {@code schema.table} (a name containing '.' cannot be written this way). */
    public static TableRef parse(String database, String qualified) {
        int dot = qualified.indexOf('.');
        if (dot <= 0 || dot != qualified.lastIndexOf('.') || dot == qualified.length() - 1) {
            throw new IllegalArgumentException("expected schema.table, got '" + qualified + "'");
        }
        return new TableRef(database, qualified.substring(0, dot), qualified.substring(dot + 1));
    }

    public String qualifiedName() {
        return schema + "." + name;
    }

    @Override
    public int compareTo(TableRef o) {
        int c = database.compareTo(o.database);
        if (c == 0) {
            c = schema.compareTo(o.schema);
        }
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return database + ":" + qualifiedName();
    }

    private static void requireName(String v, String what) {
        Objects.requireNonNull(v, what);
        if (v.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
    }
}
