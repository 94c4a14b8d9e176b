package dev.backstop.policy;

import dev.backstop.policy.classify.SegmentedLru;
import dev.backstop.policy.classify.StatementAnalyzer;
import dev.backstop.policy.classify.StatementResultAccess;
import dev.backstop.policy.sql.LexException;
import dev.backstop.policy.sql.SqlLexer;
import dev.backstop.policy.sql.StatementSpan;
import dev.backstop.policy.sql.StatementSplitter;
import dev.backstop.policy.sql.Token;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Layer 1: classifies a request's SQL text. Never throws: anything not understood (including
 * parser errors, timeouts, stack overflows, over-long text) comes back as a CRITICAL statement with
 * reason {@code parse_failure} or a more specific code. Thread-safe.
 * <p>Results are cached per instance by text (a bounded LRU); an instance is built for one
 * {@code max_statement_bytes}, so the cache key is effectively (text, policy version). A second
 * cache keeps what the parser found for each plain-read shape (the text with its constants
 * replaced), so reads that differ only in constants are parsed once ({@code ReadShape}).
 */
public final class SqlClassifier {
    /** Parser time limit per statement unless configured otherwise. */
    public static final long DEFAULT_PARSE_TIMEOUT_MILLIS = 2_000;
    public static final int DEFAULT_CACHE_ENTRIES = 4_096;
    /** Texts longer than this are not cached (bounds the cache's memory). */
    private static final int MAX_CACHED_TEXT_CHARS = 16_384;

    private final long maxStatementBytes;
    private final StatementAnalyzer analyzer;
    private final SegmentedLru<Classification> cache;

    public SqlClassifier(long maxStatementBytes) {
        this(maxStatementBytes, DEFAULT_PARSE_TIMEOUT_MILLIS, DEFAULT_CACHE_ENTRIES);
    }

    /**
     * @param parseTimeoutMillis JSqlParser time limit per statement; &lt;= 0 makes every parse time
     *                           out (for tests of that path)
     * @param cacheEntries       0 disables the cache
     */
    public SqlClassifier(long maxStatementBytes, long parseTimeoutMillis, int cacheEntries) {
        this.maxStatementBytes = maxStatementBytes;
        this.analyzer = new StatementAnalyzer(parseTimeoutMillis, cacheEntries);
        this.cache = cacheEntries > 0 ? new SegmentedLru<>(cacheEntries) : null;
    }

    public Classification classify(String sql) {
        if (sql == null) {
            sql = "";
        }
        boolean cacheable = cache != null && sql.length() <= MAX_CACHED_TEXT_CHARS;
        if (cacheable) {
            Classification hit = cache.get(sql);
            if (hit != null) {
                return hit;
            }
        }
        Classification c;
        try {
            c = classifyUncached(sql);
        } catch (RuntimeException | StackOverflowError e) {
            // fail closed: no exception may escape, whatever went wrong
            c = whole(sql, "PARSE_FAILURE", List.of("parse_failure", "internal_error"));
        }
        if (cacheable) {
            cache.put(sql, c);
        }
        return c;
    }

    private Classification classifyUncached(String sql) {
        if (utf8Length(sql, 0, sql.length()) > maxStatementBytes) {
            return whole(sql, "PARSE_FAILURE", List.of("statement_too_large"));
        }
        List<Token> tokens;
        try {
            tokens = SqlLexer.tokenize(sql);
        } catch (LexException e) {
            return whole(sql, "PARSE_FAILURE", List.of("parse_failure", "lexical_error"));
        }
        List<StatementSpan> spans = StatementSplitter.split(tokens);
        if (spans.isEmpty()) {
            return new Classification(sql, List.of(), Risk.CRITICAL, false, List.of("empty_statement"), true);
        }
        List<StatementClassification> out = new ArrayList<>(spans.size());
        Risk risk = Risk.SAFE;
        boolean parseOk = true;
        Set<String> reasons = new LinkedHashSet<>();
        for (int i = 0; i < spans.size(); i++) {
            StatementSpan span = spans.get(i);
            StatementClassification sc = StatementResultAccess.toRecord(analyzer.analyze(sql, span.tokens()), i,
                    span.start(), span.end(), span.text(sql));
            out.add(sc);
            risk = Risk.max(risk, sc.risk());
            parseOk &= sc.parseOk();
            reasons.addAll(sc.reasons());
        }
        if (spans.size() > 1) {
            reasons.add("multiple_statements");
        }
        return new Classification(sql, out, risk, parseOk, new ArrayList<>(reasons), false);
    }

    /** One CRITICAL pseudo-statement spanning the whole text. */
    private static Classification whole(String sql, String operation, List<String> reasons) {
        StatementClassification sc = new StatementClassification(0, 0, sql.length(), sql, operation, List.of(),
                false, false, Risk.CRITICAL, reasons, false, true, false, List.of());
        return new Classification(sql, List.of(sc), Risk.CRITICAL, false, reasons, false);
    }

    static long utf8Length(String s, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
