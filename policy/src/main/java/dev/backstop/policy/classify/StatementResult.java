package dev.backstop.policy.classify;

import dev.backstop.policy.Risk;
import dev.backstop.policy.StatementClassification;
import dev.backstop.policy.TableRef;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Mutable accumulator for one statement's classification; turned into the immutable record last. */
public final class StatementResult {
    String operation;
    Risk risk = Risk.SAFE;
    final Set<String> reasons = new LinkedHashSet<>(4);
    final Set<TableRef> tables = new LinkedHashSet<>(4);
    final Set<String> setColumns = new LinkedHashSet<>(2);
    boolean hasWhere;
    boolean parseOk = true;
    boolean tableRecoverable;
    boolean cascade;

    StatementResult(String operation) {
        this.operation = operation;
    }

    /** Raises the risk to at least {@code r} and records why. */
    StatementResult raise(Risk r, String reason) {
        risk = Risk.max(risk, r);
        if (reason != null) {
            reasons.add(reason);
        }
        return this;
    }

    static StatementResult failure(String operation, String reason, String detail) {
        StatementResult r = new StatementResult(operation);
        r.parseOk = false;
        r.raise(Risk.CRITICAL, reason);
        if (detail != null) {
            r.reasons.add(detail);
        }
        return r;
    }

    /** Merges a nested statement (data-modifying CTE, EXPLAIN/PREPARE/COPY/CREATE .. AS inner query). */
    void absorb(StatementResult inner) {
        risk = Risk.max(risk, inner.risk);
        reasons.addAll(inner.reasons);
        tables.addAll(inner.tables);
        setColumns.addAll(inner.setColumns);
        parseOk &= inner.parseOk;
        tableRecoverable |= inner.tableRecoverable;
        cascade |= inner.cascade;
    }

    StatementClassification toRecord(int index, int start, int end, String text) {
        List<String> rs = new ArrayList<>(reasons);
        boolean recoverable = tableRecoverable && risk == Risk.CRITICAL && !tables.isEmpty();
        return new StatementClassification(index, start, end, text, operation, List.copyOf(tables), hasWhere,
                parseOk, risk, rs, recoverable, risk != Risk.SAFE, cascade, List.copyOf(setColumns));
    }
}
