package dev.backstop.policy;

import java.util.Objects;

/**
 * A schema-qualified table name. Unquoted identifiers are lower-cased, quoted ones kept as written,
 * exactly as PostgreSQL folds them. An unqualified name gets schema {@code public}.
 */
public record TableRef(String schema, String name) implements Comparable<TableRef> {
    public TableRef {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
    }

    /** "schema.table", the form used in policy files, S3 keys and API paths. */
    public String qualifiedName() {
        return schema + "." + name;
    }

    /**
     * By schema, then name: consistent with {@code equals}. Comparing the "schema.table" text would make
     * {@code "a.b".c} and {@code a."b.c"} one element of a sorted set, and only one of them would be checked.
     */
    @Override
    public int compareTo(TableRef o) {
        int c = schema.compareTo(o.schema);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
