package dev.backstop.policy.sql;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Statement splitting and token values follow PostgreSQL's scanner. */
class SqlLexerTest {
    static Stream<Arguments> splits() {
        return Stream.of(
                arguments("plain", "SELECT 1; SELECT 2", List.of("SELECT 1", "SELECT 2")),
                arguments("string", "SELECT ';'; SELECT 2", List.of("SELECT ';'", "SELECT 2")),
                arguments("doubled quote", "SELECT 'a'';b'", List.of("SELECT 'a'';b'")),
                arguments("standard backslash", "SELECT 'a\\'; SELECT 2", List.of("SELECT 'a\\'", "SELECT 2")),
                arguments("E string backslash quote", "SELECT E'a\\';b'; SELECT 2", List.of("SELECT E'a\\';b'", "SELECT 2")),
                arguments("dollar", "SELECT $$;$$; SELECT 2", List.of("SELECT $$;$$", "SELECT 2")),
                arguments("tagged dollar", "SELECT $a$ $$; $a$", List.of("SELECT $a$ $$; $a$")),
                arguments("nested comment", "SELECT 1 /* /* ; */ ; */; SELECT 2", List.of("SELECT 1", "SELECT 2")),
                arguments("line comment", "SELECT 1 -- ;\n; SELECT 2", List.of("SELECT 1", "SELECT 2")),
                arguments("quoted ident", "SELECT \"a;\"\"b\"; SELECT 2", List.of("SELECT \"a;\"\"b\"", "SELECT 2")),
                arguments("unicode ident", "SELECT U&\"a;\"; SELECT 2", List.of("SELECT U&\"a;\"", "SELECT 2")),
                arguments("unicode string", "SELECT U&'\\0041;' UESCAPE '!'", List.of("SELECT U&'\\0041;' UESCAPE '!'")),
                arguments("empty statements", ";; SELECT 1 ;; ;", List.of("SELECT 1")),
                arguments("param not dollar quote", "SELECT $1; SELECT $2", List.of("SELECT $1", "SELECT $2")),
                arguments("identifier with dollar", "SELECT a$b$ FROM t; SELECT 2", List.of("SELECT a$b$ FROM t", "SELECT 2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("splits")
    void splitsLikePostgres(String name, String sql, List<String> expected) throws LexException {
        List<String> got = StatementSplitter.split(SqlLexer.tokenize(sql)).stream().map(s -> s.text(sql)).toList();
        assertEquals(expected, got);
    }

    static Stream<Arguments> values() {
        return Stream.of(
                arguments("E escapes", "E'a\\nb\\x41\\101\\u0042\\''", TokenKind.ESCAPE_STRING, "a\nbAAB'"),
                arguments("U& string", "U&'d\\0061t\\+000061'", TokenKind.UNICODE_STRING, "data"),
                arguments("U& uescape", "U&'d!0061t' UESCAPE '!'", TokenKind.UNICODE_STRING, "dat"),
                arguments("U& ident", "U&\"pg_\\0074\"", TokenKind.QUOTED_IDENT, "pg_t"),
                arguments("folding", "SeLeCt", TokenKind.WORD, "select"),
                arguments("quoted keeps case", "\"SeLeCt\"", TokenKind.QUOTED_IDENT, "SeLeCt"),
                arguments("operator trailing minus", "@-", TokenKind.OPERATOR, "@-"),
                arguments("N string", "N'x'", TokenKind.STRING, "x"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void firstTokenValue(String name, String sql, TokenKind kind, String value) throws LexException {
        Token t = SqlLexer.tokenize(sql).get(0);
        assertEquals(kind, t.kind());
        assertEquals(value, t.value());
    }

    @Test
    void operatorDropsTrailingPlusMinusLikePostgres() throws LexException {
        // "=-" is "=" then "-" in PostgreSQL (no ~!@#%^&|`? in it)
        List<String> ops = SqlLexer.tokenize("a=-1").stream().filter(t -> t.kind() == TokenKind.OPERATOR).map(Token::value).toList();
        assertEquals(List.of("=", "-"), ops);
    }

    @Test
    void lexicalErrorsAreReported() {
        for (String bad : List.of("'abc", "\"abc", "/* x", "$$ x", "E'\\u12'", "\"\"", "SELECT \\d")) {
            assertThrows(LexException.class, () -> SqlLexer.tokenize(bad), bad);
        }
    }
}
