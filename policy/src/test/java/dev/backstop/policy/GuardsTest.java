package dev.backstop.policy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Size, depth, time and stack guards: nothing escapes classify(), everything fails closed. */
class GuardsTest {
    @Test
    void textOverMaxStatementBytesIsCriticalStatementTooLarge() {
        SqlClassifier c = new SqlClassifier(100);
        Classification r = c.classify("SELECT '" + "é".repeat(60) + "'"); // 120+ bytes, < 100 chars
        assertEquals(Risk.CRITICAL, r.risk());
        assertEquals(List.of("statement_too_large"), r.reasons());
        assertFalse(r.parseOk());
    }

    @Test
    void twoHundredKilobyteTextIsClassifiedWithoutThrowing() {
        StringBuilder sb = new StringBuilder("SELECT id FROM orders WHERE id IN (");
        while (sb.length() < 200_000) {
            sb.append(sb.length()).append(", ");
        }
        sb.append("0)");
        Classification r = new SqlClassifier(1 << 20).classify(sb.toString());
        assertEquals(Risk.SAFE, r.risk(), r.reasons().toString());
        Classification stacked = new SqlClassifier(1 << 20).classify(sb + "; DELETE FROM orders");
        assertEquals(Risk.CRITICAL, stacked.risk());
    }

    @Test
    void deepNestingIsRefusedBeforeParsing() {
        String sql = "SELECT " + "(".repeat(5000) + "1" + ")".repeat(5000);
        Classification r = new SqlClassifier(1 << 20).classify(sql);
        assertEquals(Risk.CRITICAL, r.risk());
        assertEquals(List.of("too_deeply_nested"), r.reasons());
    }

    @Test
    void nestingJustUnderTheLimitStillParses() {
        String sql = "SELECT " + "(".repeat(50) + "1" + ")".repeat(50);
        assertEquals(Risk.SAFE, new SqlClassifier(1 << 20).classify(sql).risk());
    }

    @Test
    void parserTimeLimitFailsClosedWithParseTimeout() {
        // a limit of 0 means "already exceeded": deterministic, no wall-clock dependence
        SqlClassifier c = new SqlClassifier(1 << 20, 0, 0);
        Classification r = c.classify("SELECT a, b FROM t JOIN u ON t.id = u.id WHERE a IN (SELECT x FROM v)");
        assertEquals(Risk.CRITICAL, r.risk());
        assertEquals(List.of("parse_timeout"), r.reasons());
    }

    @Test
    void longOperatorChainsDoNotEscape() {
        // 1,000 NOTs parse and analyse on any thread stack down to 256 KiB; how much deeper a chain can
        // go depends on the caller's -Xss, so the test stays well inside that bound.
        String sql = "SELECT " + "NOT ".repeat(1_000) + "true";
        Classification r = new SqlClassifier(1 << 20).classify(sql);
        assertEquals(Risk.SAFE, r.risk());
        // deep enough to overflow the AST walk: caught, CRITICAL, never thrown
        String sql2 = "SELECT 1" + " + 1".repeat(50_000);
        Classification r2 = new SqlClassifier(1 << 20).classify(sql2);
        assertEquals(Risk.CRITICAL, r2.risk());
        assertEquals(List.of("parse_failure", "analysis_failure"), r2.reasons());
    }

    @Test
    void nullTextIsEmpty() {
        Classification r = new SqlClassifier(1 << 20).classify(null);
        assertEquals(List.of("empty_statement"), r.reasons());
    }

    @Test
    void repeatedTextIsServedFromTheCache() {
        SqlClassifier c = new SqlClassifier(1 << 20);
        Classification a = c.classify("SELECT * FROM orders WHERE id = 1");
        assertSame(a, c.classify("SELECT * FROM orders WHERE id = 1"));
    }
}
