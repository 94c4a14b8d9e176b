package dev.backstop.policy.classify;

import dev.backstop.policy.TableRef;
import dev.backstop.policy.sql.Token;
import dev.backstop.policy.sql.TokenKind;

import java.util.List;

/** Identifier folding as PostgreSQL does it: unquoted names lower-case (ASCII), quoted kept. */
final class Names {
    static final String DEFAULT_SCHEMA = "public";

    private Names() {
    }

    /** Folds a name as JSqlParser returns it (possibly with surrounding double quotes). */
    static String fold(String raw) {
        if (raw == null) {
            return null;
        }
        if (raw.length() >= 2 && raw.charAt(0) == '"' && raw.charAt(raw.length() - 1) == '"') {
            return raw.substring(1, raw.length() - 1).replace("\"\"", "\"");
        }
        StringBuilder sb = null;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (sb == null) {
                    sb = new StringBuilder(raw);
                }
                sb.setCharAt(i, (char) (c + 32));
            }
        }
        return sb == null ? raw : sb.toString();
    }

    static TableRef table(String schemaRaw, String nameRaw) {
        String schema = fold(schemaRaw);
        return new TableRef(schema == null || schema.isEmpty() ? DEFAULT_SCHEMA : schema, fold(nameRaw));
    }

    /** Splits a dotted name as TablesNamesFinder renders it ("a"."B".c) and folds each part. */
    static TableRef parseDotted(String dotted) {
        java.util.ArrayList<String> parts = new java.util.ArrayList<>(3);
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < dotted.length(); i++) {
            char c = dotted.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                cur.append(c);
            } else if (c == '.' && !quoted) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        String name = parts.get(parts.size() - 1);
        String schema = parts.size() >= 2 ? parts.get(parts.size() - 2) : null;
        return table(schema, name);
    }

    /** The identifier value of a token (folded word or decoded quoted identifier), else null. */
    static String ident(Token t) {
        if (t.kind() == TokenKind.WORD || t.kind() == TokenKind.QUOTED_IDENT) {
            return t.value();
        }
        return null;
    }

    /**
     * Reads a possibly qualified name (ident [. ident [. ident]]) starting at token index i.
     * Returns the TableRef and stores the index after the name in end[0]; null if no name there.
     */
    static TableRef readQualifiedName(List<Token> ts, int i, int[] end) {
        if (i >= ts.size() || ident(ts.get(i)) == null) {
            return null;
        }
        String a = ident(ts.get(i));
        String b = null;
        int j = i + 1;
        while (j + 1 < ts.size() && ts.get(j).isPunct(".") && ident(ts.get(j + 1)) != null) {
            b = a;
            a = ident(ts.get(j + 1));
            j += 2;
        }
        end[0] = j;
        return new TableRef(b == null ? DEFAULT_SCHEMA : b, a);
    }
}
