package dev.backstop.policy.classify;

import dev.backstop.policy.sql.Token;
import dev.backstop.policy.sql.TokenKind;

import java.util.List;
import java.util.Set;

/**
 * Builds the text JSqlParser parses for one statement. The executed text is always the original;
 * this text exists only to obtain an AST for classification.
 * <p>Always (meaning-preserving): comments dropped, E'', U&amp;'', N'', B''/X'' and dollar-quoted
 * literals re-written as standard '' literals with the same value, U&amp;"" identifiers written as
 * plain quoted identifiers, and words that JSqlParser reserves but PostgreSQL does not (settings,
 * statement, ...) quoted where they stand as identifiers (folded, so the name is unchanged).
 * <p>Only for statements the lexer proved to be plain reads ({@code readProven}): operators
 * JSqlParser does not know become {@code ||} (binary) or {@code -} (prefix), {@code tbl*} loses
 * its {@code *}, and {@code substring(x FROM a FOR b)} becomes {@code substring(x, a, b)}.
 */
final class ParseTextBuilder {
    /** Unreserved in PostgreSQL, reserved by JSqlParser 5.4 (measured). */
    static final Set<String> TROUBLE_WORDS = Set.of(
            "settings", "statement", "unknown", "returns", "output", "uuid", "prior", "key", "value");

    /** Operators JSqlParser 5.4 parses in binary position (measured); others are rewritten. */
    static final Set<String> KNOWN_BINARY_OPS = Set.of(
            "=", "<>", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "^", "||", "->", "->>",
            "#>", "#>>", "@>", "<@", "&&", "?", "?|", "?&", "@@", "~", "~*", "!~", "!~*", "~~", "~~*",
            "!~~", "!~~*", "<<", ">>", "&", "|", "#", "#-", "=>", ":=");

    /** PostgreSQL types written as "type 'literal'" that JSqlParser 5.4 does not know. */
    static final Set<String> TYPED_LITERAL_TYPES = Set.of(
            "box", "circle", "lseg", "line", "path", "polygon", "point", "inet", "cidr", "macaddr", "macaddr8",
            "tsquery", "tsvector", "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange",
            "money", "varbit", "xml", "bytea", "jsonpath", "uuid", "jsonb", "json", "regclass", "oid");

    private ParseTextBuilder() {
    }

    static String build(String sql, List<Token> ts, boolean readProven) {
        StringBuilder sb = new StringBuilder(ts.isEmpty() ? 0 : ts.get(ts.size() - 1).end() - ts.get(0).start() + 16);
        int substringDepth = -1;
        boolean substringFrom = false;
        int depth = 0;
        for (int i = 0; i < ts.size(); i++) {
            Token t = ts.get(i);
            if (i > 0 && t.start() > ts.get(i - 1).end()) {
                sb.append(' ');
            }
            if (t.isPunct("(") || t.isPunct("[")) {
                depth++;
            } else if (t.isPunct(")") || t.isPunct("]")) {
                if (depth == substringDepth) {
                    substringDepth = -1;
                }
                depth--;
            }
            switch (t.kind()) {
                case ESCAPE_STRING, UNICODE_STRING, DOLLAR_STRING, BIT_STRING -> appendString(sb, t.value());
                case STRING -> {
                    if (sql.charAt(t.start()) == '\'') {
                        sb.append(sql, t.start(), t.end());
                    } else {
                        appendString(sb, t.value()); // N'...'
                    }
                }
                case QUOTED_IDENT -> {
                    if (sql.charAt(t.start()) == '"') {
                        sb.append(sql, t.start(), t.end());
                    } else {
                        appendQuoted(sb, t.value());
                    }
                }
                case WORD -> {
                    if (readProven && TYPED_LITERAL_TYPES.contains(t.value()) && i + 1 < ts.size()
                            && ts.get(i + 1).isStringLiteral() && !(i > 0 && ts.get(i - 1).isPunct("::"))) {
                        sb.append(' '); // "box '(0,0)'": keep just the literal, JSqlParser lacks these types
                    } else if (TROUBLE_WORDS.contains(t.value()) && identifierPosition(ts, i)) {
                        appendQuoted(sb, t.value());
                    } else if (readProven && depth == substringDepth && t.isWord("from")) {
                        sb.append(',');
                        substringFrom = true;
                    } else if (readProven && depth == substringDepth && t.isWord("for")) {
                        sb.append(substringFrom ? "," : ", 1,");
                    } else {
                        sb.append(sql, t.start(), t.end());
                    }
                    if (readProven && t.isWord("substring") && i + 1 < ts.size() && ts.get(i + 1).isPunct("(")) {
                        substringDepth = depth + 1;
                        substringFrom = false;
                    }
                }
                case OPERATOR -> {
                    if (readProven && t.value().equals("*") && isInheritanceStar(ts, i)) {
                        break;
                    }
                    if (readProven && !KNOWN_BINARY_OPS.contains(t.value())) {
                        sb.append(prefixPosition(ts, i) ? " " : "||"); // a prefix operator keeps its operand's shape
                    } else {
                        sb.append(sql, t.start(), t.end());
                    }
                }
                default -> sb.append(sql, t.start(), t.end());
            }
        }
        return sb.toString();
    }

    private static void appendString(StringBuilder sb, String value) {
        sb.append('\'');
        for (int k = 0; k < value.length(); k++) {
            char c = value.charAt(k);
            sb.append(c);
            if (c == '\'') {
                sb.append('\'');
            }
        }
        sb.append('\'');
    }

    private static void appendQuoted(StringBuilder sb, String value) {
        sb.append('"');
        for (int k = 0; k < value.length(); k++) {
            char c = value.charAt(k);
            sb.append(c);
            if (c == '"') {
                sb.append('"');
            }
        }
        sb.append('"');
    }

    /** A trouble word used as a name, not as the keyword it also is in PostgreSQL. */
    private static boolean identifierPosition(List<Token> ts, int i) {
        Token prev = i > 0 ? ts.get(i - 1) : null;
        Token next = i + 1 < ts.size() ? ts.get(i + 1) : null;
        if (prev != null && (prev.isPunct("::") || prev.isWord("primary") || prev.isWord("foreign")
                || prev.isWord("no") || prev.isWord("for") || prev.isWord("is") || prev.isWord("not")
                || prev.isWord("add") || prev.isWord("uescape"))) {
            return false;
        }
        if (next != null && (next.isPunct("(") || next.isStringLiteral() || next.isWord("share"))) {
            return false;
        }
        return true;
    }

    /** An operator where an operand is expected is a prefix operator. */
    private static boolean prefixPosition(List<Token> ts, int i) {
        if (i == 0) {
            return true;
        }
        Token p = ts.get(i - 1);
        if (p.kind() == TokenKind.OPERATOR || p.isPunct("(") || p.isPunct(",") || p.isPunct("[")) {
            return true;
        }
        if (p.kind() == TokenKind.WORD) {
            return switch (p.value()) {
                case "select", "where", "and", "or", "not", "on", "having", "when", "then", "else",
                        "return", "by", "distinct", "all", "in", "between", "like", "is" -> true;
                default -> false;
            };
        }
        return false;
    }

    /** "FROM tbl*" / "JOIN s.tbl*" / ", tbl*" in a FROM list: PostgreSQL's inheritance star. */
    private static boolean isInheritanceStar(List<Token> ts, int i) {
        int j = i - 1;
        if (j < 0 || !ts.get(j).isIdentifier()) {
            return false;
        }
        while (j >= 2 && ts.get(j - 1).isPunct(".") && ts.get(j - 2).isIdentifier()) {
            j -= 2;
        }
        Token before = j > 0 ? ts.get(j - 1) : null;
        if (before == null) {
            return false;
        }
        if (before.isWord("from") || before.isWord("join") || before.isWord("only")) {
            return true;
        }
        if (!before.isPunct(",")) {
            return false;
        }
        int depth = 0;
        for (int k = j - 2; k >= 0; k--) {
            Token t = ts.get(k);
            if (t.isPunct(")")) {
                depth++;
            } else if (t.isPunct("(")) {
                if (depth == 0) {
                    return false;
                }
                depth--;
            } else if (depth == 0 && t.kind() == TokenKind.WORD) {
                switch (t.value()) {
                    case "from":
                        return true;
                    case "select", "where", "group", "order", "having", "on", "using", "limit", "returning",
                            "set", "values", "window", "by":
                        return false;
                    default:
                        break;
                }
            }
        }
        return false;
    }
}
