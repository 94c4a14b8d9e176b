package dev.backstop.restore;

import java.util.List;
import java.util.stream.Collectors;

/** Quoting for the few pieces of DDL/DML the tool must build: identifiers always quoted, never concatenated raw. */
final class Sql {
    private Sql() {
    }

    /** {@code "name"} with embedded quotes doubled; refuses NUL (PostgreSQL identifiers cannot hold it). */
    static String ident(String name) {
        if (name == null || name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a valid identifier: " + name);
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    static String qualified(String schema, String name) {
        return ident(schema) + "." + ident(name);
    }

    /** A string literal for printed SQL (standard_conforming_strings on: only quotes are doubled). */
    static String literal(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("string holds NUL");
        }
        return "'" + s.replace("'", "''") + "'";
    }

    static String identList(List<String> names) {
        return names.stream().map(Sql::ident).collect(Collectors.joining(", "));
    }

    static String prefixedList(String alias, List<String> names) {
        return names.stream().map(n -> alias + "." + ident(n)).collect(Collectors.joining(", "));
    }

    /**
     * A type as the manifest records it ({@code format_type()} text). It is written into DDL, so it is accepted only
     * in the shapes format_type produces: words, digits, spaces, commas, dots, parentheses, brackets and quoted
     * identifiers without control characters; PostgreSQL must also know the type ({@link TableLoader} checks).
     */
    static String typeText(String pgType) {
        if (pgType == null || pgType.isBlank() || pgType.length() > 200) {
            throw new IllegalArgumentException("unusable column type: " + pgType);
        }
        boolean quoted = false;
        for (int i = 0; i < pgType.length(); i++) {
            char c = pgType.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                continue;
            }
            if (quoted) {
                if (c < 0x20) {
                    throw new IllegalArgumentException("unusable column type: " + pgType);
                }
                continue;
            }
            boolean ok = Character.isLetterOrDigit(c) || c == '_' || c == ' ' || c == ',' || c == '.' || c == '('
                    || c == ')' || c == '[' || c == ']' || c == '$';
            if (!ok) {
                throw new IllegalArgumentException("unusable column type: " + pgType);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unusable column type: " + pgType);
        }
        return pgType;
    }
}
