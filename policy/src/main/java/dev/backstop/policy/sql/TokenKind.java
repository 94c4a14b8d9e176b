package dev.backstop.policy.sql;

/** Kinds of PostgreSQL lexical tokens, as far as classification needs to tell them apart. */
public enum TokenKind {
    /** Unquoted identifier or keyword; {@link Token#value()} is the ASCII-lower-cased text. */
    WORD,
    /** "quoted" or U&amp;"quoted" identifier; value is the decoded name (case kept). */
    QUOTED_IDENT,
    /** '...' standard string (also N'...'); value is the decoded content. */
    STRING,
    /** E'...' string with backslash escapes; value is the decoded content. */
    ESCAPE_STRING,
    /** U&amp;'...' string; value is the decoded content. */
    UNICODE_STRING,
    /** $tag$...$tag$; value is the content. */
    DOLLAR_STRING,
    /** B'...' or X'...' bit-string constant. */
    BIT_STRING,
    NUMBER,
    /** $1, $2, ... */
    PARAM,
    /** An operator: a run of + - * / &lt; &gt; = ~ ! @ # % ^ &amp; | ` ? (PostgreSQL's rules). */
    OPERATOR,
    /** One of ( ) [ ] , ; : . :: */
    PUNCT,
    /** -- line comment or (nested) block comment. */
    COMMENT
}
