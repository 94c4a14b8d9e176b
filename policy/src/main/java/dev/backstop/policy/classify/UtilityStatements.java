package dev.backstop.policy.classify;

import dev.backstop.policy.Risk;
import dev.backstop.policy.TableRef;
import dev.backstop.policy.sql.Token;
import dev.backstop.policy.sql.TokenKind;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Statements recognised from their leading keywords rather than by JSqlParser (which cannot parse
 * most of them): transaction control, SET/RESET, COPY, VACUUM, LOCK, DDL, GRANT, ... Each gets its
 * canonical operation name and the risk design.md assigns it.
 */
final class UtilityStatements {
    /** SET of these is harmless for the gateway's pooled, READ ONLY-wrapped connections. */
    static final Set<String> HARMLESS_PARAMETERS = Set.of(
            "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "application_name",
            "timezone", "datestyle", "intervalstyle", "extra_float_digits", "work_mem", "client_min_messages",
            "random_page_cost", "seq_page_cost", "cpu_tuple_cost", "cpu_index_tuple_cost", "cpu_operator_cost",
            "effective_cache_size", "jit", "max_parallel_workers_per_gather", "join_collapse_limit",
            "from_collapse_limit", "plan_cache_mode", "lc_monetary", "lc_numeric", "lc_time",
            "default_statistics_target", "geqo");
    /** SET of these is never harmless: they change who we are, or switch off protections. */
    static final Set<String> READ_ONLY_OVERRIDES = Set.of("transaction_read_only", "default_transaction_read_only");

    private UtilityStatements() {
    }

    static StatementResult simple(String op, Risk risk, String reason) {
        return new StatementResult(op).raise(risk, reason);
    }

    static StatementResult transaction(String op) {
        return simple("TRANSACTION", Risk.HIGH, "transaction_control");
    }

    static StatementResult classify(List<Token> ts, String lead) {
        return switch (lead) {
            case "begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release" ->
                    transaction(lead.equals("start") ? "START TRANSACTION" : lead.toUpperCase(Locale.ROOT));
            case "set", "reset" -> set(ts, lead);
            case "show" -> new StatementResult("SHOW");
            case "copy" -> copy(ts);
            case "call" -> simple("CALL", Risk.HIGH, "procedure_call");
            case "vacuum" -> vacuum(ts);
            case "analyze", "analyse" -> simple("ANALYZE", Risk.LOW, "maintenance");
            case "lock" -> lock(ts);
            case "truncate" -> truncate(ts);
            case "drop" -> drop(ts);
            case "alter" -> alter(ts);
            case "execute" -> simple("EXECUTE", Risk.HIGH, "prepared_statement");
            case "deallocate" -> simple("DEALLOCATE", Risk.LOW, "session_state");
            case "grant" -> simple("GRANT", Risk.HIGH, "privilege_change");
            case "revoke" -> simple("REVOKE", Risk.HIGH, "privilege_change");
            case "comment" -> simple("COMMENT", Risk.HIGH, "ddl");
            case "security" -> simple("SECURITY LABEL", Risk.HIGH, "ddl");
            case "reindex" -> simple("REINDEX", Risk.HIGH, "maintenance_heavy");
            case "cluster" -> simple("CLUSTER", Risk.HIGH, "maintenance_heavy");
            case "checkpoint" -> simple("CHECKPOINT", Risk.HIGH, "maintenance_heavy");
            case "refresh" -> simple("REFRESH MATERIALIZED VIEW", Risk.HIGH, "ddl");
            case "reassign" -> simple("REASSIGN OWNED", Risk.HIGH, "privilege_change");
            case "import" -> simple("IMPORT FOREIGN SCHEMA", Risk.HIGH, "ddl");
            case "discard" -> simple("DISCARD", Risk.HIGH, "session_state");
            case "listen", "unlisten", "notify" -> simple(lead.toUpperCase(Locale.ROOT), Risk.HIGH, "notification");
            case "declare", "fetch", "move", "close" -> simple(lead.toUpperCase(Locale.ROOT), Risk.HIGH, "cursor");
            case "load" -> simple("LOAD", Risk.CRITICAL, "load_library");
            default -> {
                StatementResult r = StatementResult.failure("UNKNOWN", "unknown_statement", null);
                yield r;
            }
        };
    }

    private static StatementResult set(List<Token> ts, String lead) {
        StatementResult r = new StatementResult(lead.toUpperCase(Locale.ROOT));
        int i = 1;
        while (TokenScans.word(ts, i).equals("session") && !TokenScans.word(ts, i + 1).equals("authorization")
                && !TokenScans.word(ts, i + 1).equals("characteristics") || TokenScans.word(ts, i).equals("local")) {
            i++;
        }
        String p = TokenScans.word(ts, i);
        String next = TokenScans.word(ts, i + 1);
        if (p.equals("role") || (p.equals("session") && next.equals("authorization"))) {
            return r.raise(Risk.HIGH, "set_session_privilege");
        }
        if (p.equals("transaction") || (p.equals("session") && next.equals("characteristics"))) {
            return r.raise(Risk.HIGH, "set_transaction_mode");
        }
        if (p.equals("time") && next.equals("zone")) {
            return r.raise(Risk.LOW, "set_harmless_parameter");
        }
        if (p.equals("all")) {
            return r.raise(Risk.HIGH, "set_parameter");
        }
        if (i + 1 < ts.size() && ts.get(i + 1).isPunct(".")) {
            return r.raise(Risk.HIGH, "set_parameter"); // custom GUCs feed row-level security
        }
        if (READ_ONLY_OVERRIDES.contains(p)) {
            return r.raise(Risk.HIGH, "set_read_only_override");
        }
        if (p.equals("session_replication_role")) {
            return r.raise(Risk.HIGH, "set_replication_role");
        }
        if (HARMLESS_PARAMETERS.contains(p) || p.startsWith("enable_")) {
            return r.raise(Risk.LOW, "set_harmless_parameter");
        }
        return r.raise(Risk.HIGH, "set_parameter");
    }

    private static StatementResult copy(List<Token> ts) {
        StatementResult r = new StatementResult("COPY");
        int[] end = new int[1];
        TableRef t = Names.readQualifiedName(ts, 1, end);
        if (t != null) {
            r.tables.add(t);
        }
        if (TokenScans.findDepth0(ts, 1, "program") > 0) {
            return r.raise(Risk.CRITICAL, "copy_program");
        }
        return r.raise(Risk.HIGH, TokenScans.findDepth0(ts, 1, "from") > 0 && t != null ? "copy_from" : "copy");
    }

    private static StatementResult vacuum(List<Token> ts) {
        for (int i = 1; i < ts.size(); i++) {
            if (ts.get(i).isWord("full")) {
                Token v = i + 1 < ts.size() ? ts.get(i + 1) : null;
                boolean off = v != null && (v.isWord("false") || v.isWord("off") || v.value().equals("0"));
                if (!off) {
                    return simple("VACUUM FULL", Risk.HIGH, "vacuum_full");
                }
            }
        }
        return simple("VACUUM", Risk.LOW, "maintenance");
    }

    private static StatementResult lock(List<Token> ts) {
        StatementResult r = simple("LOCK", Risk.HIGH, "lock_table");
        int i = 1;
        if (TokenScans.word(ts, i).equals("table")) {
            i++;
        }
        readNameList(ts, i, r);
        return r;
    }

    /** Reads "[ONLY] name [*] [, ...]" into r.tables; returns the index after the list. */
    private static int readNameList(List<Token> ts, int i, StatementResult r) {
        int[] end = new int[1];
        while (i < ts.size()) {
            if (TokenScans.word(ts, i).equals("only")) {
                i++;
            }
            TableRef t = Names.readQualifiedName(ts, i, end);
            if (t == null) {
                break;
            }
            r.tables.add(t);
            i = end[0];
            if (i < ts.size() && ts.get(i).isOperator("*")) {
                i++;
            }
            if (i < ts.size() && ts.get(i).isPunct(",")) {
                i++;
                continue;
            }
            break;
        }
        return i;
    }

    private static StatementResult truncate(List<Token> ts) {
        StatementResult r = simple("TRUNCATE", Risk.CRITICAL, "truncate");
        int i = 1;
        if (TokenScans.word(ts, i).equals("table")) {
            i++;
        }
        readNameList(ts, i, r);
        r.tableRecoverable = true;
        if (TokenScans.containsWord(ts, "cascade")) {
            r.cascade = true;
            r.reasons.add("cascade");
        }
        return r;
    }

    /** Object type words after CREATE/ALTER/DROP, e.g. "TABLE", "MATERIALIZED VIEW". */
    private static String objectType(List<Token> ts, int i, int[] next) {
        String a = TokenScans.word(ts, i);
        String b = TokenScans.word(ts, i + 1);
        String type = a;
        int n = i + 1;
        if (Set.of("materialized", "foreign", "event", "access", "text", "operator", "user").contains(a) && !b.isEmpty()
                && !(a.equals("user") && !b.equals("mapping")) && !(a.equals("operator") && !(b.equals("class") || b.equals("family")))) {
            type = a + " " + b;
            n = i + 2;
            if ((a.equals("text") || (a.equals("foreign") && b.equals("data"))) && !TokenScans.word(ts, i + 2).isEmpty()) {
                type = type + " " + TokenScans.word(ts, i + 2);
                n = i + 3;
            }
        }
        next[0] = n;
        return type.toUpperCase(Locale.ROOT);
    }

    private static StatementResult drop(List<Token> ts) {
        int[] next = new int[1];
        String type = objectType(ts, 1, next);
        StatementResult r = new StatementResult("DROP " + type);
        boolean cascade = TokenScans.containsWord(ts, "cascade");
        switch (type) {
            case "TABLE" -> {
                r.raise(Risk.CRITICAL, "drop_table");
                int i = next[0];
                if (TokenScans.word(ts, i).equals("if") && TokenScans.word(ts, i + 1).equals("exists")) {
                    i += 2;
                }
                readNameList(ts, i, r);
                r.tableRecoverable = true;
            }
            case "SCHEMA" -> r.raise(Risk.CRITICAL, "drop_schema");
            case "DATABASE" -> r.raise(Risk.CRITICAL, "drop_database");
            case "OWNED" -> r.raise(Risk.CRITICAL, "drop_owned");
            case "TYPE", "DOMAIN", "EXTENSION", "COLLATION" -> r.raise(cascade ? Risk.CRITICAL : Risk.HIGH,
                    cascade ? "cascade_may_drop_data" : "ddl");
            case "ROLE", "USER", "GROUP" -> r.raise(Risk.HIGH, "role_change");
            default -> r.raise(Risk.HIGH, "ddl");
        }
        if (cascade) {
            r.cascade = true;
            r.reasons.add("cascade");
        }
        return r;
    }

    private static StatementResult alter(List<Token> ts) {
        if (TokenScans.word(ts, 1).equals("system")) {
            return simple("ALTER SYSTEM", Risk.CRITICAL, "alter_system");
        }
        int[] next = new int[1];
        String type = objectType(ts, 1, next);
        StatementResult r = new StatementResult("ALTER " + type);
        if (type.equals("ROLE") || type.equals("USER") || type.equals("GROUP")) {
            return r.raise(Risk.HIGH, "role_change");
        }
        if (!type.equals("TABLE")) {
            return r.raise(Risk.HIGH, "ddl");
        }
        int i = next[0];
        if (TokenScans.word(ts, i).equals("if") && TokenScans.word(ts, i + 1).equals("exists")) {
            i += 2;
        }
        if (TokenScans.word(ts, i).equals("only")) {
            i++;
        }
        int[] end = new int[1];
        TableRef t = Names.readQualifiedName(ts, i, end);
        if (t == null) {
            return r.raise(Risk.HIGH, "ddl");
        }
        r.tables.add(t);
        i = end[0];
        if (i < ts.size() && ts.get(i).isOperator("*")) {
            i++;
        }
        int depth = 0;
        for (int k = i; k < ts.size(); k++) {
            Token tk = ts.get(k);
            if (tk.isPunct("(")) {
                depth++;
            } else if (tk.isPunct(")")) {
                depth--;
            } else if (depth == 0 && tk.isWord("drop") && (k == i || ts.get(k - 1).isPunct(","))
                    && !TokenScans.word(ts, k + 1).equals("constraint")) {
                r.raise(Risk.CRITICAL, "drop_column");
                r.tableRecoverable = true;
            }
        }
        if (r.risk != Risk.CRITICAL) {
            r.raise(Risk.HIGH, "ddl");
        }
        if (TokenScans.containsWord(ts, "cascade")) {
            r.cascade = true;
            r.reasons.add("cascade");
        }
        return r;
    }

    private static final Set<String> CREATE_MODIFIERS = Set.of("or", "replace", "temp", "temporary", "unlogged",
            "global", "local", "unique", "recursive", "trusted", "procedural", "default", "constraint");

    static StatementResult create(List<Token> ts) {
        int i = 1;
        while (CREATE_MODIFIERS.contains(TokenScans.word(ts, i))) {
            i++;
        }
        int[] next = new int[1];
        String type = objectType(ts, i, next);
        StatementResult r = new StatementResult("CREATE " + type);
        switch (type) {
            case "FUNCTION", "PROCEDURE" -> r.raise(Risk.HIGH, "create_function");
            case "TRIGGER", "EVENT TRIGGER" -> r.raise(Risk.HIGH, "create_trigger");
            case "RULE" -> r.raise(Risk.HIGH, "create_rule");
            case "ROLE", "USER", "GROUP" -> r.raise(Risk.HIGH, "role_change");
            case "TABLE", "MATERIALIZED VIEW" -> {
                int as = TokenScans.findDepth0(ts, next[0], "as");
                if (as > 0 && as + 1 < ts.size()) {
                    Token q = ts.get(as + 1);
                    if (q.isPunct("(") || q.isWord("select") || q.isWord("with") || q.isWord("values") || q.isWord("table")) {
                        r.operation = type.equals("TABLE") ? "CREATE TABLE AS" : r.operation;
                        r.raise(Risk.HIGH, "create_table_as");
                    }
                }
                int[] end = new int[1];
                int n = next[0];
                if (TokenScans.word(ts, n).equals("if") && TokenScans.word(ts, n + 2).equals("exists")) {
                    n += 3;
                }
                TableRef t = Names.readQualifiedName(ts, n, end);
                if (t != null) {
                    r.tables.add(t);
                }
                r.raise(Risk.HIGH, "ddl");
            }
            default -> r.raise(Risk.HIGH, "ddl");
        }
        if (type.isEmpty()) {
            return StatementResult.failure("UNKNOWN", "unknown_statement", null);
        }
        return r;
    }

    static boolean isWord(Token t) {
        return t.kind() == TokenKind.WORD;
    }
}
