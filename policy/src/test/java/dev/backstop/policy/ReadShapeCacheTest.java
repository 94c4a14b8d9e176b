package dev.backstop.policy;

import dev.backstop.policy.sql.LexException;
import dev.backstop.policy.sql.SqlLexer;
import dev.backstop.policy.sql.Token;
import dev.backstop.policy.sql.TokenKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plain-read shape cache: reads that differ only in constants reuse one parse, and no
 * statement of either corpus is classified differently through a cache warmed with variants of
 * every statement whose constants were changed (which would be the cache leaking one statement's
 * facts into another's classification).
 */
class ReadShapeCacheTest {
    private static final long TIMEOUT = SqlClassifier.DEFAULT_PARSE_TIMEOUT_MILLIS;

    @Test
    void readsThatDifferOnlyInConstantsGetTheSameFacts() {
        SqlClassifier c = new SqlClassifier(1 << 20);
        Classification a = c.classify("SELECT id, total FROM shop.orders WHERE id = 1 AND note = 'x'");
        Classification b = c.classify("SELECT id, total FROM shop.orders WHERE id = 98765 AND note = 'it''s; DROP TABLE x'");
        assertEquals(Risk.SAFE, b.risk());
        assertEquals(List.of(new TableRef("shop", "orders")), b.statements().get(0).tables());
        assertEquals(facts(a), facts(b));
    }

    @Test
    void writesNeverUseTheShapeCache() {
        SqlClassifier c = new SqlClassifier(1 << 20);
        assertEquals(List.of("where_restricted_write"), c.classify("DELETE FROM orders WHERE id = 5 OR 1 = 2").reasons());
        Classification tautology = c.classify("DELETE FROM orders WHERE id = 5 OR 1 = 1");
        assertEquals(Risk.CRITICAL, tautology.risk());
        assertTrue(tautology.reasons().contains("tautological_where"), tautology.reasons().toString());
    }

    @Test
    void aConstantTurnedIntoADangerousCallIsSeenAgain() {
        SqlClassifier c = new SqlClassifier(1 << 20);
        assertEquals(Risk.SAFE, c.classify("SELECT f('a') FROM t").risk());
        assertEquals(Risk.HIGH, c.classify("SELECT set_config('a', 'b', false) FROM t").risk());
        assertEquals(Risk.SAFE, c.classify("SELECT 'set_config(1)' FROM t").risk());
    }

    @Test
    void everyCorpusStatementClassifiesTheSameThroughAWarmedCache() {
        List<String> all = new ArrayList<>(Corpus.reads());
        Corpus.adversarial().forEach(a -> all.add(a.sql()));
        SqlClassifier warm = new SqlClassifier(1 << 20, TIMEOUT, 1 << 16);
        for (String sql : all) {
            warm.classify(withOtherConstants(sql));
        }
        int compared = 0;
        for (String sql : all) {
            Classification cold = new SqlClassifier(1 << 20, TIMEOUT, 0).classify(sql);
            assertEquals(facts(cold), facts(warm.classify(sql)), sql);
            compared++;
        }
        assertEquals(all.size(), compared);
        assertTrue(compared > 600, "corpora too small: " + compared);
    }

    /** The text with every number replaced by 7 and every plain '' string by 'zz'. */
    static String withOtherConstants(String sql) {
        List<Token> ts;
        try {
            ts = SqlLexer.tokenize(sql);
        } catch (LexException e) {
            return sql;
        }
        StringBuilder sb = new StringBuilder();
        int at = 0;
        for (Token t : ts) {
            boolean plainString = t.kind() == TokenKind.STRING && sql.charAt(t.start()) == '\'';
            if (t.kind() == TokenKind.NUMBER || plainString) {
                sb.append(sql, at, t.start()).append(plainString ? "'zz'" : "7");
                at = t.end();
            }
        }
        return sb.append(sql.substring(at)).toString();
    }

    private static List<Object> facts(Classification c) {
        List<Object> out = new ArrayList<>(List.of(c.risk(), c.parseOk(), c.reasons()));
        for (StatementClassification s : c.statements()) {
            out.add(List.of(s.operation(), s.tables(), s.risk(), s.reasons(), s.parseOk(), s.hasWhere()));
        }
        return out;
    }
}
