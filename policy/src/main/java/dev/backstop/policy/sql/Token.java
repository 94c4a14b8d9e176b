package dev.backstop.policy.sql;

/**
 * One lexical token: its kind, its exact range in the original text and its value (folded
 * identifier, decoded string content, or the token text itself for operators and punctuation).
 */
public record Token(TokenKind kind, int start, int end, String value) {

    public boolean isWord(String lowerCaseWord) {
        return kind == TokenKind.WORD && value.equals(lowerCaseWord);
    }

    public boolean isPunct(String p) {
        return kind == TokenKind.PUNCT && value.equals(p);
    }

    public boolean isOperator(String op) {
        return kind == TokenKind.OPERATOR && value.equals(op);
    }

    /** An identifier-like token: a word or a quoted identifier. */
    public boolean isIdentifier() {
        return kind == TokenKind.WORD || kind == TokenKind.QUOTED_IDENT;
    }

    public boolean isStringLiteral() {
        return kind == TokenKind.STRING || kind == TokenKind.ESCAPE_STRING
                || kind == TokenKind.UNICODE_STRING || kind == TokenKind.DOLLAR_STRING;
    }
}
