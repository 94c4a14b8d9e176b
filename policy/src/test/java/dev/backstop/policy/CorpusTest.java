package dev.backstop.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The adversarial corpus (exact risk and default-policy outcome) and the benign read corpus. */
class CorpusTest {
    private static final SqlClassifier CLASSIFIER = new SqlClassifier(1 << 20);
    private static final Policy POLICY = Policy.defaults();

    static List<Corpus.Adversarial> adversarial() {
        return Corpus.adversarial();
    }

    static List<String> reads() {
        return Corpus.reads();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("adversarial")
    void adversarialStatementHasExactRiskAndOutcome(Corpus.Adversarial a) {
        Classification c = CLASSIFIER.classify(a.sql());
        Decision d = PolicyEngine.decide(c, POLICY, DecisionContext.NONE);
        String ctx = "sql=" + a + " reasons=" + c.reasons() + " decision=" + d.reasons();
        assertEquals(a.risk(), c.risk(), ctx);
        assertEquals(a.outcome(), d.outcome(), ctx);
        for (String r : a.reasons()) {
            assertTrue(c.reasons().contains(r) || d.reasons().contains(r), "missing reason " + r + ": " + ctx);
        }
    }

    @Test
    void adversarialCorpusHasAtLeast150Statements() {
        assertTrue(adversarial().size() >= 150, "size " + adversarial().size());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("reads")
    void realisticReadIsSafeAndExecutes(String sql) {
        Classification c = CLASSIFIER.classify(sql);
        assertEquals(Risk.SAFE, c.risk(), () -> sql + " -> " + c.reasons());
        assertEquals(Outcome.EXECUTE, PolicyEngine.decide(c, POLICY, DecisionContext.NONE).outcome());
    }

    /** The benign false-positive rate over the read corpus must stay at or below 3%. */
    @Test
    void benignFalsePositiveRateIsAtMostThreePercent() {
        List<String> reads = reads();
        assertTrue(reads.size() >= 300, "read corpus has " + reads.size());
        List<String> flagged = new ArrayList<>();
        for (String sql : reads) {
            if (CLASSIFIER.classify(sql).risk() != Risk.SAFE) {
                flagged.add(sql);
            }
        }
        double rate = flagged.size() * 100.0 / reads.size();
        System.out.printf("benign false-positive rate: %d/%d = %.2f%%%n", flagged.size(), reads.size(), rate);
        assertTrue(rate <= 3.0, "false-positive rate " + rate + "%: " + flagged);
    }
}
