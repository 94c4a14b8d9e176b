package dev.backstop.policy.sql;

import java.util.List;

/**
 * One statement of a text: the exact range of its original text (first to last non-comment
 * token, the terminating semicolon excluded) and its tokens without comments.
 *
 * @param hasComments a comment occurs between its first and last token
 */
public record StatementSpan(int start, int end, List<Token> tokens, boolean hasComments) {
    public String text(String original) {
        return original.substring(start, end);
    }
}
