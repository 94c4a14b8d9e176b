package dev.backstop.policy.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * A lexer that follows PostgreSQL's own scanner (scan.l) closely enough that statement boundaries
 * and token ranges agree with the server: standard_conforming_strings on, E'' strings with
 * backslash escapes, U&amp;'' strings and U&amp;"" identifiers, dollar quotes, nested block
 * comments, -- comments, quoted identifiers with doubled quotes, and PostgreSQL's operator rules.
 * Anything the server would reject lexically (unterminated string or comment, stray characters)
 * raises {@link LexException}; callers treat that as a parse failure.
 */
public final class SqlLexer {
    private static final String OP_CHARS = "+-*/<>=~!@#%^&|`?";
    /** Operators whose trailing + or - PostgreSQL keeps (those containing one of these chars). */
    private static final String OP_KEEP_TRAILING_SIGN = "~!@#%^&|`?";

    private final String s;
    private final int n;
    private int i;
    private final List<Token> out;

    private SqlLexer(String text) {
        this.s = text;
        this.n = text.length();
        this.out = new ArrayList<>(Math.min(4096, 8 + n / 4));
    }

    /** All tokens of {@code text}, comments included, in order. */
    public static List<Token> tokenize(String text) throws LexException {
        SqlLexer lx = new SqlLexer(text);
        lx.run();
        return lx.out;
    }

    private void run() throws LexException {
        while (i < n) {
            char c = s.charAt(i);
            if (isSpace(c)) {
                i++;
            } else if (c == '-' && peek(1) == '-') {
                lineComment();
            } else if (c == '/' && peek(1) == '*') {
                blockComment();
            } else if (c == '\'') {
                standardString(i, i);
            } else if (c == '"') {
                quotedIdent(i, i, false);
            } else if ((c == 'e' || c == 'E') && peek(1) == '\'') {
                escapeString(i);
            } else if ((c == 'n' || c == 'N') && peek(1) == '\'') {
                standardString(i, i + 1);
            } else if ((c == 'b' || c == 'B' || c == 'x' || c == 'X') && peek(1) == '\'') {
                bitString(i);
            } else if ((c == 'u' || c == 'U') && peek(1) == '&' && (peek(2) == '\'' || peek(2) == '"')) {
                if (peek(2) == '\'') {
                    unicodeString(i);
                } else {
                    quotedIdent(i, i + 2, true);
                }
            } else if (isIdentStart(c)) {
                word();
            } else if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
                number();
            } else if (c == '$') {
                dollar();
            } else if (c == ':' && peek(1) == ':') {
                add(TokenKind.PUNCT, i, i + 2, "::");
                i += 2;
            } else if (c == '.' && peek(1) == '.') {
                add(TokenKind.PUNCT, i, i + 2, "..");
                i += 2;
            } else if (c == ':' && peek(1) == '=') {
                add(TokenKind.OPERATOR, i, i + 2, ":=");
                i += 2;
            } else if ("()[],;:.".indexOf(c) >= 0) {
                add(TokenKind.PUNCT, i, i + 1, String.valueOf(c));
                i++;
            } else if (OP_CHARS.indexOf(c) >= 0) {
                operator();
            } else {
                throw new LexException("unexpected character '" + c + "'", i);
            }
        }
    }

    private char peek(int ahead) {
        int j = i + ahead;
        return j < n ? s.charAt(j) : '\0';
    }

    private void add(TokenKind kind, int start, int end, String value) {
        out.add(new Token(kind, start, end, value));
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    static boolean isIdentPart(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }

    private void lineComment() {
        int start = i;
        while (i < n && s.charAt(i) != '\n' && s.charAt(i) != '\r') {
            i++;
        }
        add(TokenKind.COMMENT, start, i, "");
    }

    private void blockComment() throws LexException {
        int start = i;
        int depth = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && peek(1) == '*') {
                depth++;
                i += 2;
            } else if (c == '*' && peek(1) == '/') {
                depth--;
                i += 2;
                if (depth == 0) {
                    add(TokenKind.COMMENT, start, i, "");
                    return;
                }
            } else {
                i++;
            }
        }
        throw new LexException("unterminated /* comment", start);
    }

    /** '...' with '' as an escaped quote; backslashes are ordinary characters. */
    private void standardString(int tokenStart, int quotePos) throws LexException {
        StringBuilder v = new StringBuilder();
        i = quotePos + 1;
        while (true) {
            if (i >= n) {
                throw new LexException("unterminated quoted string", tokenStart);
            }
            char c = s.charAt(i);
            if (c == '\'') {
                if (peek(1) == '\'') {
                    v.append('\'');
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            v.append(c);
            i++;
        }
        add(TokenKind.STRING, tokenStart, i, v.toString());
    }

    private void bitString(int tokenStart) throws LexException {
        i = tokenStart + 2;
        while (i < n && s.charAt(i) != '\'') {
            i++;
        }
        if (i >= n) {
            throw new LexException("unterminated bit string literal", tokenStart);
        }
        i++;
        add(TokenKind.BIT_STRING, tokenStart, i, s.substring(tokenStart + 2, i - 1));
    }

    /** E'...': backslash escapes as PostgreSQL defines them; '' and \' both mean a quote. */
    private void escapeString(int tokenStart) throws LexException {
        StringBuilder v = new StringBuilder();
        i = tokenStart + 2;
        while (true) {
            if (i >= n) {
                throw new LexException("unterminated quoted string", tokenStart);
            }
            char c = s.charAt(i);
            if (c == '\'') {
                if (peek(1) == '\'') {
                    v.append('\'');
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            if (c == '\\') {
                if (i + 1 >= n) {
                    throw new LexException("unterminated quoted string", tokenStart);
                }
                char e = s.charAt(i + 1);
                i += 2;
                switch (e) {
                    case 'b' -> v.append('\b');
                    case 'f' -> v.append('\f');
                    case 'n' -> v.append('\n');
                    case 'r' -> v.append('\r');
                    case 't' -> v.append('\t');
                    case 'x' -> v.appendCodePoint(readHex(1, 2, 0, tokenStart, true));
                    case 'u' -> v.appendCodePoint(readHex(4, 4, 0, tokenStart, false));
                    case 'U' -> v.appendCodePoint(readHex(8, 8, 0, tokenStart, false));
                    default -> {
                        if (e >= '0' && e <= '7') {
                            int val = e - '0';
                            int k = 0;
                            while (k < 2 && i < n && s.charAt(i) >= '0' && s.charAt(i) <= '7') {
                                val = val * 8 + (s.charAt(i) - '0');
                                i++;
                                k++;
                            }
                            v.append((char) (val & 0xFF));
                        } else {
                            v.append(e);
                        }
                    }
                }
                continue;
            }
            v.append(c);
            i++;
        }
        add(TokenKind.ESCAPE_STRING, tokenStart, i, v.toString());
    }

    /**
     * Reads between min and max hex digits at i. For \x with no digit PostgreSQL keeps a literal
     * 'x' (lenient=true returns the char itself); a bad \\u escape is an error.
     */
    private int readHex(int min, int max, int unused, int tokenStart, boolean lenient) throws LexException {
        int val = 0;
        int k = 0;
        while (k < max && i < n && Character.digit(s.charAt(i), 16) >= 0) {
            val = val * 16 + Character.digit(s.charAt(i), 16);
            i++;
            k++;
        }
        if (k < min) {
            if (lenient && k == 0) {
                return 'x';
            }
            throw new LexException("invalid Unicode escape", tokenStart);
        }
        if (!Character.isValidCodePoint(val)) {
            throw new LexException("invalid Unicode escape value", tokenStart);
        }
        return val;
    }

    /** U&amp;'...' with \XXXX, \+XXXXXX escapes and an optional UESCAPE 'c' clause. */
    private void unicodeString(int tokenStart) throws LexException {
        i = tokenStart + 2;
        int bodyStart = i;
        standardStringBody(tokenStart, '\'');
        String raw = s.substring(bodyStart + 1, i - 1).replace("''", "'");
        char esc = uescape(tokenStart);
        add(TokenKind.UNICODE_STRING, tokenStart, i, decodeUnicode(raw, esc, tokenStart));
    }

    private void standardStringBody(int tokenStart, char q) throws LexException {
        i++; // opening quote
        while (true) {
            if (i >= n) {
                throw new LexException(q == '"' ? "unterminated quoted identifier" : "unterminated quoted string", tokenStart);
            }
            char c = s.charAt(i);
            if (c == q) {
                if (peek(1) == q) {
                    i += 2;
                    continue;
                }
                i++;
                return;
            }
            i++;
        }
    }

    /** Optional UESCAPE 'c' after a U&amp; literal; consumes it into the token's range. */
    private char uescape(int tokenStart) throws LexException {
        int save = i;
        int j = i;
        while (j < n && (isSpace(s.charAt(j)))) {
            j++;
        }
        if (j + 7 <= n && s.regionMatches(true, j, "uescape", 0, 7) && (j + 7 == n || !isIdentPart(s.charAt(j + 7)))) {
            int k = j + 7;
            while (k < n && isSpace(s.charAt(k))) {
                k++;
            }
            if (k + 2 < n && s.charAt(k) == '\'' && s.charAt(k + 2) == '\'') {
                char esc = s.charAt(k + 1);
                if (isHexDigit(esc) || esc == '+' || esc == '\'' || esc == '"' || isSpace(esc)) {
                    throw new LexException("invalid Unicode escape character", tokenStart);
                }
                i = k + 3;
                return esc;
            }
            throw new LexException("UESCAPE must be followed by a simple string literal", tokenStart);
        }
        i = save;
        return '\\';
    }

    private static boolean isHexDigit(char c) {
        return Character.digit(c, 16) >= 0 && c < 0x80;
    }

    private static String decodeUnicode(String raw, char esc, int tokenStart) throws LexException {
        StringBuilder v = new StringBuilder(raw.length());
        int k = 0;
        while (k < raw.length()) {
            char c = raw.charAt(k);
            if (c != esc) {
                v.append(c);
                k++;
                continue;
            }
            if (k + 1 < raw.length() && raw.charAt(k + 1) == esc) {
                v.append(esc);
                k += 2;
                continue;
            }
            int digits = (k + 1 < raw.length() && raw.charAt(k + 1) == '+') ? 6 : 4;
            int from = k + (digits == 6 ? 2 : 1);
            if (from + digits > raw.length()) {
                throw new LexException("invalid Unicode escape", tokenStart);
            }
            int val = 0;
            for (int d = 0; d < digits; d++) {
                int h = Character.digit(raw.charAt(from + d), 16);
                if (h < 0) {
                    throw new LexException("invalid Unicode escape", tokenStart);
                }
                val = val * 16 + h;
            }
            if (!Character.isValidCodePoint(val) || val == 0) {
                throw new LexException("invalid Unicode escape value", tokenStart);
            }
            v.appendCodePoint(val);
            k = from + digits;
        }
        return v.toString();
    }

    /** "..." (doubled "" inside) or U&amp;"..." (with Unicode escapes). */
    private void quotedIdent(int tokenStart, int quotePos, boolean unicode) throws LexException {
        i = quotePos;
        standardStringBody(tokenStart, '"');
        String raw = s.substring(quotePos + 1, i - 1).replace("\"\"", "\"");
        if (raw.isEmpty()) {
            throw new LexException("zero-length delimited identifier", tokenStart);
        }
        String value = raw;
        if (unicode) {
            value = decodeUnicode(raw, uescape(tokenStart), tokenStart);
        }
        add(TokenKind.QUOTED_IDENT, tokenStart, i, value);
    }

    private void word() {
        int start = i;
        while (i < n && isIdentPart(s.charAt(i))) {
            i++;
        }
        add(TokenKind.WORD, start, i, asciiLower(s, start, i));
    }

    /** PostgreSQL folds only ASCII letters of unquoted identifiers. */
    static String asciiLower(String s, int from, int to) {
        boolean upper = false;
        for (int k = from; k < to; k++) {
            char c = s.charAt(k);
            if (c >= 'A' && c <= 'Z') {
                upper = true;
                break;
            }
        }
        if (!upper) {
            return s.substring(from, to);
        }
        char[] out = new char[to - from];
        for (int k = from; k < to; k++) {
            char c = s.charAt(k);
            out[k - from] = (c >= 'A' && c <= 'Z') ? (char) (c + 32) : c;
        }
        return new String(out);
    }

    private void number() {
        int start = i;
        if (s.charAt(i) == '0' && (peek(1) == 'x' || peek(1) == 'X' || peek(1) == 'o' || peek(1) == 'O'
                || peek(1) == 'b' || peek(1) == 'B') && Character.digit(peek(2), 16) >= 0) {
            i += 2;
            while (i < n && (Character.digit(s.charAt(i), 16) >= 0 || s.charAt(i) == '_')) {
                i++;
            }
        } else {
            digits();
            if (i < n && s.charAt(i) == '.' && peek(1) != '.') {
                i++;
                digits();
            }
            if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                int save = i;
                i++;
                if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                if (i < n && isDigit(s.charAt(i))) {
                    digits();
                } else {
                    i = save;
                }
            }
        }
        add(TokenKind.NUMBER, start, i, s.substring(start, i));
    }

    private void digits() {
        while (i < n && (isDigit(s.charAt(i)) || (s.charAt(i) == '_' && i + 1 < n && isDigit(s.charAt(i + 1))))) {
            i++;
        }
    }

    /** $n parameter or $tag$ dollar-quoted string. */
    private void dollar() throws LexException {
        int start = i;
        if (isDigit(peek(1))) {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            add(TokenKind.PARAM, start, i, s.substring(start, i));
            return;
        }
        int j = i + 1;
        if (j < n && isIdentStart(s.charAt(j))) {
            j++;
            while (j < n && (isIdentStart(s.charAt(j)) || isDigit(s.charAt(j)))) {
                j++;
            }
        }
        if (j >= n || s.charAt(j) != '$') {
            throw new LexException("unexpected character '$'", start);
        }
        String delim = s.substring(start, j + 1);
        int bodyStart = j + 1;
        int close = s.indexOf(delim, bodyStart);
        if (close < 0) {
            throw new LexException("unterminated dollar-quoted string", start);
        }
        i = close + delim.length();
        add(TokenKind.DOLLAR_STRING, start, i, s.substring(bodyStart, close));
    }

    /** PostgreSQL's operator rule: longest run of operator chars, cut at -- or /*, and trailing
     * + or - dropped unless the operator contains one of ~ ! @ # % ^ &amp; | ` ?. */
    private void operator() {
        int start = i;
        int j = i;
        while (j < n && OP_CHARS.indexOf(s.charAt(j)) >= 0) {
            if (j > start && ((s.charAt(j) == '-' && j + 1 < n && s.charAt(j + 1) == '-')
                    || (s.charAt(j) == '/' && j + 1 < n && s.charAt(j + 1) == '*'))) {
                break;
            }
            if (j == start && ((s.charAt(j) == '-' && j + 1 < n && s.charAt(j + 1) == '-')
                    || (s.charAt(j) == '/' && j + 1 < n && s.charAt(j + 1) == '*'))) {
                break;
            }
            j++;
        }
        int end = j;
        if (end - start > 1) {
            boolean keep = false;
            for (int k = start; k < end; k++) {
                if (OP_KEEP_TRAILING_SIGN.indexOf(s.charAt(k)) >= 0) {
                    keep = true;
                    break;
                }
            }
            if (!keep) {
                while (end - start > 1 && (s.charAt(end - 1) == '+' || s.charAt(end - 1) == '-')) {
                    end--;
                }
            }
        }
        i = end;
        add(TokenKind.OPERATOR, start, end, s.substring(start, end));
    }
}
