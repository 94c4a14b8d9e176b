package dev.backstop.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** One row per design.md Layer 1 rule: exact operation, risk, reasons, tables, flags. */
class ClassifierRulesTest {
    private static final SqlClassifier CLASSIFIER = new SqlClassifier(1 << 20);

    static Stream<Arguments> rules() {
        return Stream.of(
                arguments("select", "SELECT * FROM Orders", "SELECT", Risk.SAFE, List.of(), List.of("public.orders")),
                arguments("quoted table keeps case", "SELECT 1 FROM \"Sales\".\"Q1\"", "SELECT", Risk.SAFE, List.of(), List.of("Sales.Q1")),
                arguments("values", "VALUES (1)", "VALUES", Risk.SAFE, List.of(), List.of()),
                arguments("table", "TABLE s.t", "TABLE", Risk.SAFE, List.of(), List.of("s.t")),
                arguments("show", "SHOW work_mem", "SHOW", Risk.SAFE, List.of(), List.of()),
                arguments("explain", "EXPLAIN SELECT 1 FROM t", "EXPLAIN", Risk.SAFE, List.of(), List.of("public.t")),
                arguments("insert", "INSERT INTO t VALUES (1)", "INSERT", Risk.LOW, List.of("insert"), List.of("public.t")),
                arguments("analyze", "ANALYZE t", "ANALYZE", Risk.LOW, List.of("maintenance"), List.of()),
                arguments("update with where", "UPDATE t SET a = 1 WHERE id = 2", "UPDATE", Risk.MEDIUM, List.of("where_restricted_write"), List.of("public.t")),
                arguments("delete with where", "DELETE FROM s.t WHERE id = 2", "DELETE", Risk.MEDIUM, List.of("where_restricted_write"), List.of("s.t")),
                arguments("single-row upsert", "INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET b = 2", "INSERT", Risk.MEDIUM, List.of("insert", "upsert"), List.of("public.t")),
                arguments("select for update", "SELECT * FROM t FOR UPDATE", "SELECT", Risk.MEDIUM, List.of("locking_clause"), List.of("public.t")),
                arguments("create table", "CREATE TABLE t (a int)", "CREATE TABLE", Risk.HIGH, List.of("ddl"), List.of("public.t")),
                arguments("create table as", "CREATE TABLE t AS SELECT 1", "CREATE TABLE AS", Risk.HIGH, List.of("create_table_as", "ddl"), List.of("public.t")),
                arguments("select into", "SELECT * INTO t2 FROM t", "SELECT INTO", Risk.HIGH, List.of("select_into"), List.of("public.t", "public.t2")),
                arguments("merge", "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a", "MERGE", Risk.HIGH, List.of("merge"), List.of("public.t")),
                arguments("upsert from select", "INSERT INTO t SELECT * FROM s ON CONFLICT (id) DO UPDATE SET a = 1", "INSERT", Risk.HIGH, List.of("insert", "upsert_from_select"), List.of("public.t")),
                arguments("lock", "LOCK TABLE a, b", "LOCK", Risk.HIGH, List.of("lock_table"), List.of("public.a", "public.b")),
                arguments("set harmful", "SET search_path TO x", "SET", Risk.HIGH, List.of("set_parameter"), List.of()),
                arguments("set harmless", "SET statement_timeout = 0", "SET", Risk.LOW, List.of("set_harmless_parameter"), List.of()),
                arguments("grant", "GRANT SELECT ON t TO u", "GRANT", Risk.HIGH, List.of("privilege_change"), List.of()),
                arguments("do", "DO $$ BEGIN END $$", "DO", Risk.HIGH, List.of("procedural_code"), List.of()),
                arguments("call", "CALL p()", "CALL", Risk.HIGH, List.of("procedure_call"), List.of()),
                arguments("prepare", "PREPARE q AS SELECT 1", "PREPARE", Risk.HIGH, List.of("prepared_statement"), List.of()),
                arguments("execute", "EXECUTE q", "EXECUTE", Risk.HIGH, List.of("prepared_statement"), List.of()),
                arguments("copy", "COPY t TO STDOUT", "COPY", Risk.HIGH, List.of("copy"), List.of("public.t")),
                arguments("vacuum full", "VACUUM FULL t", "VACUUM FULL", Risk.HIGH, List.of("vacuum_full"), List.of()),
                arguments("cluster", "CLUSTER t", "CLUSTER", Risk.HIGH, List.of("maintenance_heavy"), List.of()),
                arguments("reindex", "REINDEX INDEX i", "REINDEX", Risk.HIGH, List.of("maintenance_heavy"), List.of()),
                arguments("dangerous function", "SELECT setval('s', 1)", "SELECT", Risk.HIGH, List.of("dangerous_function:setval"), List.of()),
                // SQL text run by the function itself: what that text calls is invisible to the classifier
                arguments("ts_stat runs SQL text", "SELECT * FROM ts_stat('SELECT to_tsvector(pg_terminate_backend(1)::text)')", "SELECT", Risk.HIGH, List.of("dangerous_function:ts_stat"), List.of()),
                arguments("crosstab runs SQL text", "SELECT * FROM crosstab2('SELECT 1')", "SELECT", Risk.HIGH, List.of("dangerous_function:crosstab2"), List.of()),
                arguments("setseed outlives DISCARD ALL", "SELECT setseed(0.42)", "SELECT", Risk.HIGH, List.of("dangerous_function:setseed"), List.of()),
                arguments("pg_prewarm fills shared buffers", "SELECT pg_prewarm('big')", "SELECT", Risk.HIGH, List.of("dangerous_function:pg_prewarm"), List.of()),
                arguments("txid_current uses an xid", "SELECT txid_current()", "SELECT", Risk.HIGH, List.of("dangerous_function:txid_current"), List.of()),
                arguments("the if-assigned form uses none", "SELECT txid_current_if_assigned()", "SELECT", Risk.SAFE, List.of(), List.of()),
                arguments("ts_rewrite runs SQL text", "SELECT ts_rewrite('a & b'::tsquery, 'SELECT t, s FROM aliases')", "SELECT", Risk.HIGH, List.of("dangerous_function:ts_rewrite"), List.of()),
                arguments("explain analyze write", "EXPLAIN ANALYZE INSERT INTO t VALUES (1)", "EXPLAIN ANALYZE", Risk.HIGH, List.of("insert", "explain_analyze_executes"), List.of("public.t")),
                arguments("drop table", "DROP TABLE t", "DROP TABLE", Risk.CRITICAL, List.of("drop_table"), List.of("public.t")),
                arguments("truncate", "TRUNCATE t", "TRUNCATE", Risk.CRITICAL, List.of("truncate"), List.of("public.t")),
                arguments("delete all", "DELETE FROM t", "DELETE", Risk.CRITICAL, List.of("no_where_clause"), List.of("public.t")),
                arguments("update all", "UPDATE t SET a = 1", "UPDATE", Risk.CRITICAL, List.of("no_where_clause"), List.of("public.t")),
                arguments("tautology", "UPDATE t SET a = 1 WHERE 1 = 1", "UPDATE", Risk.CRITICAL, List.of("tautological_where"), List.of("public.t")),
                arguments("where not on target", "DELETE FROM orders USING customers c WHERE c.country = 'DE'", "DELETE", Risk.CRITICAL, List.of("where_not_restricting_target"), List.of("public.orders")),
                arguments("drop column", "ALTER TABLE t DROP COLUMN c", "ALTER TABLE", Risk.CRITICAL, List.of("drop_column"), List.of("public.t")),
                arguments("alter table other", "ALTER TABLE t ADD COLUMN c int", "ALTER TABLE", Risk.HIGH, List.of("ddl"), List.of("public.t")),
                arguments("drop schema", "DROP SCHEMA s", "DROP SCHEMA", Risk.CRITICAL, List.of("drop_schema"), List.of()),
                arguments("drop database", "DROP DATABASE d", "DROP DATABASE", Risk.CRITICAL, List.of("drop_database"), List.of()),
                arguments("drop owned", "DROP OWNED BY u", "DROP OWNED", Risk.CRITICAL, List.of("drop_owned"), List.of()),
                arguments("copy program", "COPY t FROM PROGRAM 'x'", "COPY", Risk.CRITICAL, List.of("copy_program"), List.of("public.t")),
                arguments("alter system", "ALTER SYSTEM RESET ALL", "ALTER SYSTEM", Risk.CRITICAL, List.of("alter_system"), List.of()),
                arguments("drop slot", "SELECT pg_drop_replication_slot('s')", "SELECT", Risk.CRITICAL, List.of("dangerous_function:pg_drop_replication_slot"), List.of()),
                arguments("unknown", "FROBNICATE t", "UNKNOWN", Risk.CRITICAL, List.of("unknown_statement"), List.of()),
                arguments("parse failure", "SELECT FROM FROM", "PARSE_FAILURE", Risk.CRITICAL, List.of("parse_failure"), List.of()),
                arguments("transaction", "BEGIN", "TRANSACTION", Risk.HIGH, List.of("transaction_control"), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void rule(String name, String sql, String operation, Risk risk, List<String> reasons, List<String> tables) {
        Classification c = CLASSIFIER.classify(sql);
        assertEquals(1, c.statements().size());
        StatementClassification s = c.statements().get(0);
        assertEquals(operation, s.operation());
        assertEquals(risk, s.risk());
        assertEquals(risk, c.risk());
        assertEquals(reasons, s.reasons());
        assertEquals(tables, s.tables().stream().map(TableRef::qualifiedName).sorted().toList());
    }

    @Test
    void statementRangesAreExactAndExcludeSemicolonsAndOuterComments() {
        String sql = "/* a */ SELECT ';' AS x -- c\n ; \n DELETE FROM t WHERE id = 1 ;";
        Classification c = CLASSIFIER.classify(sql);
        assertEquals(2, c.statements().size());
        StatementClassification a = c.statements().get(0);
        StatementClassification b = c.statements().get(1);
        assertEquals("SELECT ';' AS x", sql.substring(a.start(), a.end()));
        assertEquals("DELETE FROM t WHERE id = 1", sql.substring(b.start(), b.end()));
        assertEquals(b.text(), sql.substring(b.start(), b.end()));
        assertEquals(Risk.MEDIUM, c.risk());
    }

    @Test
    void tableRecoverableFlagsFollowTheDesign() {
        assertTrue(CLASSIFIER.classify("DROP TABLE a, b").statements().get(0).tableRecoverable());
        assertTrue(CLASSIFIER.classify("TRUNCATE a").statements().get(0).tableRecoverable());
        assertTrue(CLASSIFIER.classify("DELETE FROM a WHERE true").statements().get(0).tableRecoverable());
        assertTrue(CLASSIFIER.classify("ALTER TABLE a DROP COLUMN b").statements().get(0).tableRecoverable());
        assertFalse(CLASSIFIER.classify("DROP SCHEMA s").statements().get(0).tableRecoverable());
        assertFalse(CLASSIFIER.classify("DELETE FROM a WHERE id = 1").statements().get(0).tableRecoverable());
        assertFalse(CLASSIFIER.classify("COPY a FROM PROGRAM 'x'").statements().get(0).tableRecoverable());
    }

    @Test
    void setColumnsComeFromTheAstNotFromText() {
        assertEquals(List.of("email", "plan"), CLASSIFIER.classify(
                "UPDATE users SET email = 'x', \"plan\" = 'SET amount = 1' WHERE id = 1 /* SET status = 2 */")
                .statements().get(0).setColumns());
        assertEquals(List.of("status"), CLASSIFIER.classify(
                "MERGE INTO payments p USING s ON p.id = s.id WHEN MATCHED THEN UPDATE SET status = s.status")
                .statements().get(0).setColumns());
        assertEquals(List.of("amount"), CLASSIFIER.classify(
                "INSERT INTO payments (id, amount) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET amount = excluded.amount")
                .statements().get(0).setColumns());
        assertEquals(List.of(), CLASSIFIER.classify("UPDATE users SET name = 'SET email = 1' WHERE id = 1")
                .statements().get(0).setColumns().stream().filter(c -> c.equals("email")).toList());
    }

    @Test
    void cascadeIsReported() {
        assertTrue(CLASSIFIER.classify("TRUNCATE a CASCADE").statements().get(0).cascade());
        assertTrue(CLASSIFIER.classify("DROP TABLE a CASCADE").statements().get(0).cascade());
        assertFalse(CLASSIFIER.classify("TRUNCATE a").statements().get(0).cascade());
        assertFalse(CLASSIFIER.classify("SELECT 'CASCADE'").statements().get(0).cascade());
    }

    @Test
    void textRiskIsTheHighestStatementRisk() {
        Classification c = CLASSIFIER.classify("SELECT 1; INSERT INTO t VALUES (1); UPDATE t SET a = 1 WHERE id = 1");
        assertEquals(List.of(Risk.SAFE, Risk.LOW, Risk.MEDIUM), c.statements().stream().map(StatementClassification::risk).toList());
        assertEquals(Risk.MEDIUM, c.risk());
        assertTrue(c.parseOk());
    }
}
