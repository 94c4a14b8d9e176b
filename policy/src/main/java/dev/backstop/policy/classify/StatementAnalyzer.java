package dev.backstop.policy.classify;

import dev.backstop.policy.Risk;
import dev.backstop.policy.TableRef;
import dev.backstop.policy.sql.LexException;
import dev.backstop.policy.sql.SqlLexer;
import dev.backstop.policy.sql.Token;
import dev.backstop.policy.sql.TokenKind;

import java.util.List;

/**
 * Classifies one statement from its tokens. Statements JSqlParser understands (reads, INSERT,
 * UPDATE, DELETE, MERGE) are parsed alone; everything else PostgreSQL accepts is recognised from
 * its leading keywords ({@link UtilityStatements}); an unknown leading keyword is CRITICAL.
 * Whatever the path, dangerous function calls and data-modifying sub-statements found in the
 * tokens raise the risk.
 */
public final class StatementAnalyzer {
    /** Deeper nesting than this is refused before parsing (JSqlParser recurses per level). */
    public static final int MAX_NESTING_DEPTH = 100;
    private static final int MAX_SUBSTATEMENT_LEVELS = 8;

    private final long parseTimeoutMillis;
    /** Tables read by each plain-read shape JSqlParser parsed (see {@link ReadShape}); null: no cache. */
    private final SegmentedLru<List<TableRef>> readShapes;

    public StatementAnalyzer(long parseTimeoutMillis) {
        this(parseTimeoutMillis, 0);
    }

    /** @param readShapeEntries size of the plain-read shape cache; 0 disables it */
    public StatementAnalyzer(long parseTimeoutMillis, int readShapeEntries) {
        this.parseTimeoutMillis = parseTimeoutMillis;
        this.readShapes = readShapeEntries > 0 ? new SegmentedLru<>(readShapeEntries) : null;
    }

    public StatementResult analyze(String sql, List<Token> ts) {
        return analyze(sql, ts, 0);
    }

    StatementResult analyze(String sql, List<Token> ts, int level) {
        if (ts.isEmpty()) {
            return StatementResult.failure("PARSE_FAILURE", "parse_failure", "empty_substatement");
        }
        if (level > MAX_SUBSTATEMENT_LEVELS || TokenScans.maxDepth(ts) > MAX_NESTING_DEPTH) {
            return StatementResult.failure("PARSE_FAILURE", "too_deeply_nested", null);
        }
        Token first = ts.get(0);
        String lead = first.isPunct("(") ? "(" : TokenScans.word(ts, 0);
        StatementResult r;
        boolean scanNestedDml = true;
        switch (lead) {
            case "select", "values", "table", "with", "(", "insert", "update", "delete", "merge" ->
                    r = parsed(sql, ts, lead, level);
            case "explain" -> {
                r = explain(sql, ts, level);
                scanNestedDml = false;
            }
            case "prepare" -> {
                if (TokenScans.word(ts, 1).equals("transaction")) {
                    r = UtilityStatements.transaction("PREPARE TRANSACTION");
                } else {
                    r = prepare(sql, ts, level);
                    scanNestedDml = false;
                }
            }
            case "create" -> {
                r = UtilityStatements.create(ts);
                int as = TokenScans.findDepth0(ts, 1, "as");
                if (r.reasons.contains("create_table_as") && as > 0 && as + 1 < ts.size()) {
                    r.absorb(analyze(sql, ts.subList(as + 1, ts.size()), level + 1));
                }
            }
            case "do" -> {
                r = UtilityStatements.simple("DO", Risk.HIGH, "procedural_code");
                scanDoBody(ts, r);
            }
            default -> r = UtilityStatements.classify(ts, lead);
        }
        DangerousFunctions.scan(ts, r);
        if (scanNestedDml) {
            for (int[] range : TokenScans.nestedDml(ts, lead.equals("insert") || lead.equals("update")
                    || lead.equals("delete") || lead.equals("merge") ? 1 : 0)) {
                StatementResult inner = analyze(sql, ts.subList(range[0], range[1]), level + 1);
                r.absorb(inner);
                r.reasons.add("data_modifying_cte");
                if (r.risk == Risk.SAFE) {
                    r.raise(Risk.LOW, null);
                }
            }
        }
        return r;
    }

    /** The JSqlParser path. */
    private StatementResult parsed(String sql, List<Token> ts, String lead, int level) {
        String main = switch (lead) {
            case "with" -> TokenScans.mainKeywordAfterWith(ts);
            case "(" -> TokenScans.firstWordAfterParens(ts);
            default -> lead;
        };
        boolean read = main.equals("select") || main.equals("values") || main.equals("table");
        if (!read && !TokenScans.DML_WORDS.contains(main)) {
            return StatementResult.failure("PARSE_FAILURE", "parse_failure", null);
        }
        List<int[]> nested = TokenScans.nestedDml(ts, 0);
        boolean readProven = read && nested.isEmpty() && plainRead(ts);
        StatementResult r = new StatementResult(main.toUpperCase(java.util.Locale.ROOT));
        String shape = readProven && readShapes != null ? ReadShape.key(sql, ts) : null;
        List<TableRef> known = shape == null ? null : readShapes.get(shape);
        if (known != null) {
            r.tables.addAll(known);
            readChecks(ts, nested, r);
            return r;
        }
        String text = ParseTextBuilder.build(sql, ts, readProven);
        ParserRunner.Outcome out = ParserRunner.parse(text, parseTimeoutMillis);
        if (out.failure() != null) {
            return switch (out.failure()) {
                case TIMEOUT -> StatementResult.failure("PARSE_FAILURE", "parse_timeout", null);
                case STACK_OVERFLOW -> StatementResult.failure("PARSE_FAILURE", "parse_failure", "parser_stack_overflow");
                default -> StatementResult.failure("PARSE_FAILURE", "parse_failure", null);
            };
        }
        boolean consistent;
        try {
            consistent = DmlAnalyzer.analyze(out.statement(), read ? "select" : main, ts, r);
        } catch (RuntimeException | StackOverflowError e) {
            return StatementResult.failure("PARSE_FAILURE", "parse_failure", "analysis_failure");
        }
        if (!consistent) {
            return StatementResult.failure("PARSE_FAILURE", "parse_failure", "parser_disagreement");
        }
        if (read) {
            readChecks(ts, nested, r);
        }
        if (shape != null && r.parseOk && r.risk == Risk.SAFE) {
            readShapes.put(shape, List.copyOf(r.tables));
        }
        return r;
    }

    /** Token-level read rules: SELECT INTO, row locks, and write words the AST did not explain. */
    private static void readChecks(List<Token> ts, List<int[]> nested, StatementResult r) {
        boolean locking = TokenScans.hasLockingClause(ts);
        for (int i = 0; i < ts.size(); i++) {
            Token t = ts.get(i);
            if (t.kind() != TokenKind.WORD || !TokenScans.WRITE_WORDS.contains(t.value()) || TokenScans.inside(nested, i)) {
                continue;
            }
            if (i > 0 && ts.get(i - 1).isPunct(".")) {
                continue; // a column named like a keyword: t.update
            }
            if (t.isWord("into")) {
                r.operation = "SELECT INTO";
                r.raise(Risk.HIGH, "select_into");
            } else if (locking && (t.isWord("update"))) {
                continue;
            } else {
                r.parseOk = false;
                r.operation = "PARSE_FAILURE";
                r.raise(Risk.CRITICAL, "parse_failure");
                r.reasons.add("parser_disagreement");
            }
        }
        if (locking) {
            r.raise(Risk.MEDIUM, "locking_clause");
        }
    }

    /** A read whose tokens contain no write keyword and no dangerous function call. */
    private static boolean plainRead(List<Token> ts) {
        for (int i = 0; i < ts.size(); i++) {
            Token t = ts.get(i);
            if (t.kind() == TokenKind.WORD && TokenScans.WRITE_WORDS.contains(t.value())) {
                return false;
            }
            if (t.isIdentifier() && i + 1 < ts.size() && ts.get(i + 1).isPunct("(")
                    && DangerousFunctions.riskOf(t.value()) != null) {
                return false;
            }
        }
        return !TokenScans.hasLockingClause(ts);
    }

    private StatementResult explain(String sql, List<Token> ts, int level) {
        int i = 1;
        boolean analyze = false;
        if (i < ts.size() && ts.get(i).isPunct("(")) {
            int close = TokenScans.matching(ts, i);
            for (int k = i + 1; k < close; k++) {
                Token t = ts.get(k);
                if ((t.isWord("analyze") || t.isWord("analyse")) && (k == i + 1 || ts.get(k - 1).isPunct(","))) {
                    Token v = ts.get(k + 1);
                    boolean off = v.isWord("false") || v.isWord("off") || (v.kind() == TokenKind.NUMBER && v.value().equals("0"))
                            || (v.isStringLiteral() && (v.value().equalsIgnoreCase("false") || v.value().equalsIgnoreCase("off")));
                    analyze = !off;
                }
            }
            i = close + 1;
        } else {
            while (i < ts.size() && (ts.get(i).isWord("analyze") || ts.get(i).isWord("analyse") || ts.get(i).isWord("verbose"))) {
                analyze |= !ts.get(i).isWord("verbose");
                i++;
            }
        }
        StatementResult inner = analyze(sql, ts.subList(Math.min(i, ts.size()), ts.size()), level + 1);
        StatementResult r = new StatementResult(analyze ? "EXPLAIN ANALYZE" : "EXPLAIN");
        r.tables.addAll(inner.tables);
        if (analyze) {
            r.absorb(inner);
            r.hasWhere = inner.hasWhere;
            if (inner.risk != Risk.SAFE) {
                r.raise(Risk.HIGH, "explain_analyze_executes");
            }
        } else if (!inner.parseOk) {
            r.absorb(inner);
        }
        return r;
    }

    private StatementResult prepare(String sql, List<Token> ts, int level) {
        StatementResult r = UtilityStatements.simple("PREPARE", Risk.HIGH, "prepared_statement");
        int as = TokenScans.findDepth0(ts, 2, "as");
        if (as < 0 || as + 1 >= ts.size()) {
            return StatementResult.failure("PARSE_FAILURE", "parse_failure", null);
        }
        r.absorb(analyze(sql, ts.subList(as + 1, ts.size()), level + 1));
        return r;
    }

    /** DO's body is PL/pgSQL text: scan it for dangerous calls too (it is HIGH regardless). */
    private static void scanDoBody(List<Token> ts, StatementResult r) {
        for (Token t : ts) {
            if (t.isStringLiteral()) {
                try {
                    List<Token> body = new java.util.ArrayList<>(SqlLexer.tokenize(t.value()));
                    body.removeIf(b -> b.kind() == TokenKind.COMMENT);
                    DangerousFunctions.scan(body, r);
                } catch (LexException e) {
                    // PL/pgSQL need not lex as SQL; DO is HIGH anyway
                }
            }
        }
    }
}
