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

    @Override
    public int compareTo(TableRef o) {
        return qualifiedName().compareTo(o.qualifiedName());
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
