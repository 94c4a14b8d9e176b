package dev.backstop.snapshot;

import java.util.Objects;

/** A table of a database, names exactly as PostgreSQL stores them. */
public record TableRef(String database, String schema, String name) implements Comparable<TableRef> {
    public TableRef {
        requireName(database, "database");
        requireName(schema, "schema");
        requireName(name, "table name");
    }

    /**
     * Parses {@code schema.table}, names exactly as stored. A part that contains '.' (or starts with a double quote)
     * is written in double quotes, with {@code ""} for a quote inside, as {@link #wireName} writes it:
     * {@code "ops.v2".orders}. A part that does not start with a quote is taken as it is, quotes included.
     */
    public static TableRef parse(String database, String qualified) {
        String[] parts = splitQualified(qualified);
        if (parts == null) {
            throw new IllegalArgumentException("expected schema.table, got '" + qualified + "' (a name containing"
                    + " '.' is written in double quotes: \"ops.v2\".orders)");
        }
        return new TableRef(database, parts[0], parts[1]);
    }

    /** The two parts of {@code schema.table}, or null if the text is not exactly two non-empty parts. */
    private static String[] splitQualified(String text) {
        String[] parts = new String[2];
        int i = 0;
        for (int part = 0; part < 2; part++) {
            StringBuilder b = new StringBuilder();
            if (i < text.length() && text.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= text.length()) {
                        return null; // unterminated
                    }
                    char c = text.charAt(i++);
                    if (c == '"') {
                        if (i < text.length() && text.charAt(i) == '"') {
                            b.append('"');
                            i++;
                            continue;
                        }
                        break;
                    }
                    b.append(c);
                }
            } else {
                while (i < text.length() && text.charAt(i) != '.') {
                    b.append(text.charAt(i++));
                }
            }
            if (b.isEmpty()) {
                return null;
            }
            parts[part] = b.toString();
            if (part == 0) {
                if (i >= text.length() || text.charAt(i) != '.') {
                    return null;
                }
                i++;
            }
        }
        return i == text.length() ? parts : null;
    }

    /** "schema.table" as people read it; ambiguous when a name contains '.' (see {@link #wireName}). */
    public String qualifiedName() {
        return schema + "." + name;
    }

    /**
     * "schema.table" that {@link #parse} reads back to this table: equal to {@link #qualifiedName} unless a part
     * contains '.' or starts with a double quote, which is then quoted. Used where names travel as text between
     * processes (the sidecar's flush API).
     */
    public String wireName() {
        return wirePart(schema) + "." + wirePart(name);
    }

    private static String wirePart(String part) {
        return part.indexOf('.') >= 0 || part.startsWith("\"") ? "\"" + part.replace("\"", "\"\"") + "\"" : part;
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
