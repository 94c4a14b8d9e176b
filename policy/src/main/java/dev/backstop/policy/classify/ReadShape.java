package dev.backstop.policy.classify;

import dev.backstop.policy.sql.Token;
import dev.backstop.policy.sql.TokenKind;

import java.util.List;

/**
 * The shape of a proven plain read: its tokens with every constant (string, bit string, number)
 * replaced by a marker of its kind, and comments dropped. Agents send the same query with different
 * constants over and over; the facts the JSqlParser AST contributes to a plain read's classification
 * (it is a SELECT, and which tables it reads) are decided by this shape alone, because PostgreSQL's
 * grammar treats each constant token as one atomic value whatever it contains, and our lexer finds
 * the tokens exactly as PostgreSQL does. So a read's AST facts may be reused for another read of the
 * same shape; everything literal-sensitive (write words, dangerous calls, locking clauses) is
 * decided from the tokens of each statement anew.
 */
final class ReadShape {
    /** Shapes longer than this are not cached (bounds the cache's memory). */
    static final int MAX_KEY_CHARS = 8_192;

    private ReadShape() {
    }

    /** The shape key, or null if the statement is too long to be cached. */
    static String key(String sql, List<Token> ts) {
        StringBuilder sb = new StringBuilder(64);
        int previousEnd = -1;
        for (Token t : ts) {
            if (t.kind() == TokenKind.COMMENT) {
                continue;
            }
            if (previousEnd >= 0 && t.start() > previousEnd) {
                sb.append(' ');
            }
            previousEnd = t.end();
            switch (t.kind()) {
                case STRING, ESCAPE_STRING, UNICODE_STRING, DOLLAR_STRING, BIT_STRING ->
                        // the kind and the prefix letter (N'', E'', B'', X''): they change how the text is built
                        sb.append('\u0000').append(t.kind().ordinal()).append(sql.charAt(t.start())).append('\u0000');
                case NUMBER -> sb.append("\u0000#\u0000");
                default -> sb.append(sql, t.start(), t.end());
            }
            if (sb.length() > MAX_KEY_CHARS) {
                return null;
            }
        }
        return sb.toString();
    }
}
