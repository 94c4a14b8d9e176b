package dev.backstop.policy.classify;

import dev.backstop.policy.sql.Token;
import dev.backstop.policy.sql.TokenKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Small structural questions answered from a statement's tokens. */
final class TokenScans {
    static final Set<String> DML_WORDS = Set.of("insert", "update", "delete", "merge");
    /** Words that never occur in a plain read outside a data-modifying sub-statement. */
    static final Set<String> WRITE_WORDS = Set.of(
            "insert", "update", "delete", "merge", "into", "truncate", "drop", "alter", "create", "grant",
            "revoke", "copy", "call", "execute", "lock", "vacuum");

    private TokenScans() {
    }

    /** Deepest nesting of ( and [. */
    static int maxDepth(List<Token> ts) {
        int d = 0;
        int max = 0;
        for (Token t : ts) {
            if (t.kind() != TokenKind.PUNCT) {
                continue;
            }
            if (t.isPunct("(") || t.isPunct("[")) {
                d++;
                max = Math.max(max, d);
            } else if (t.isPunct(")") || t.isPunct("]")) {
                d--;
            }
        }
        return max;
    }

    /** Index of the parenthesis matching the "(" at {@code open}, or ts.size() if unbalanced. */
    static int matching(List<Token> ts, int open) {
        int d = 0;
        for (int i = open; i < ts.size(); i++) {
            Token t = ts.get(i);
            if (t.isPunct("(")) {
                d++;
            } else if (t.isPunct(")")) {
                d--;
                if (d == 0) {
                    return i;
                }
            }
        }
        return ts.size();
    }

    /**
     * Outermost "( INSERT|UPDATE|DELETE|MERGE ... )" sub-statements (data-modifying CTEs, COPY (...)),
     * as {from, to} token index pairs: from = the keyword, to = the closing parenthesis (exclusive).
     */
    static List<int[]> nestedDml(List<Token> ts, int from) {
        List<int[]> out = null;
        for (int i = from; i + 1 < ts.size(); i++) {
            if (ts.get(i).isPunct("(") && ts.get(i + 1).kind() == TokenKind.WORD
                    && DML_WORDS.contains(ts.get(i + 1).value())
                    && !(i + 2 < ts.size() && (ts.get(i + 2).isPunct(")") || ts.get(i + 2).isPunct(",")
                    || ts.get(i + 2).isPunct(".")))) {
                int close = matching(ts, i);
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(new int[] {i + 1, close});
                i = close;
            }
        }
        return out == null ? List.of() : out;
    }

    static boolean inside(List<int[]> ranges, int i) {
        for (int[] r : ranges) {
            if (i >= r[0] && i < r[1]) {
                return true;
            }
        }
        return false;
    }

    /** The main statement's keyword after a WITH list: the first depth-0 statement keyword. */
    static String mainKeywordAfterWith(List<Token> ts) {
        int d = 0;
        for (int i = 1; i < ts.size(); i++) {
            Token t = ts.get(i);
            if (t.isPunct("(")) {
                d++;
            } else if (t.isPunct(")")) {
                d--;
            } else if (d == 0 && t.kind() == TokenKind.WORD) {
                switch (t.value()) {
                    case "select", "insert", "update", "delete", "merge", "values", "table":
                        return t.value();
                    default:
                        break;
                }
            }
        }
        return "with";
    }

    /** First word after any leading "(": what a parenthesised statement really is. */
    static String firstWordAfterParens(List<Token> ts) {
        for (Token t : ts) {
            if (t.isPunct("(")) {
                continue;
            }
            return t.kind() == TokenKind.WORD ? t.value() : "";
        }
        return "";
    }

    /** A row-locking clause: FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE. */
    static boolean hasLockingClause(List<Token> ts) {
        for (int i = 0; i + 1 < ts.size(); i++) {
            if (ts.get(i).isWord("for")) {
                Token n = ts.get(i + 1);
                if (n.isWord("update") || n.isWord("share") || (n.isWord("no") && i + 2 < ts.size()
                        && ts.get(i + 2).isWord("key")) || (n.isWord("key") && i + 2 < ts.size()
                        && ts.get(i + 2).isWord("share"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Index of the first depth-0 word {@code w} at or after {@code from}, or -1. */
    static int findDepth0(List<Token> ts, int from, String w) {
        int d = 0;
        for (int i = from; i < ts.size(); i++) {
            Token t = ts.get(i);
            if (t.isPunct("(")) {
                d++;
            } else if (t.isPunct(")")) {
                d--;
            } else if (d == 0 && t.isWord(w)) {
                return i;
            }
        }
        return -1;
    }

    static boolean containsWord(List<Token> ts, String w) {
        for (Token t : ts) {
            if (t.isWord(w)) {
                return true;
            }
        }
        return false;
    }

    static String word(List<Token> ts, int i) {
        return i < ts.size() && ts.get(i).kind() == TokenKind.WORD ? ts.get(i).value() : "";
    }
}
