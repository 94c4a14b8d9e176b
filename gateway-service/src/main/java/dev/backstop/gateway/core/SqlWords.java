package dev.backstop.gateway.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The first keywords of one statement's text, skipping whitespace and comments. */
public final class SqlWords {
    private SqlWords() {
    }

    public static List<String> leadingWords(String text, int max) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n && words.size() < max) {
            char ch = text.charAt(i);
            if (Character.isWhitespace(ch)) {
                i++;
            } else if (ch == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                while (i < n && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
                    i++;
                }
            } else if (ch == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int depth = 0;
                do {
                    if (text.startsWith("/*", i)) {
                        depth++;
                        i += 2;
                    } else if (text.startsWith("*/", i)) {
                        depth--;
                        i += 2;
                    } else {
                        i++;
                    }
                } while (i < n && depth > 0);
            } else if (Character.isLetter(ch) || ch == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                    i++;
                }
                words.add(text.substring(start, i).toUpperCase(Locale.ROOT));
            } else {
                break;
            }
        }
        return words;
    }

    /**
     * A SET or RESET that outlives the transaction. SET LOCAL, SET TRANSACTION and SET CONSTRAINTS
     * end with the request's transaction and are allowed.
     */
    public static boolean isSessionSet(String text) {
        List<String> w = leadingWords(text, 2);
        if (w.isEmpty()) {
            return false;
        }
        if (w.get(0).equals("RESET")) {
            return true;
        }
        if (!w.get(0).equals("SET")) {
            return false;
        }
        String second = w.size() > 1 ? w.get(1) : "";
        return !(second.equals("LOCAL") || second.equals("TRANSACTION") || second.equals("CONSTRAINTS"));
    }
}
