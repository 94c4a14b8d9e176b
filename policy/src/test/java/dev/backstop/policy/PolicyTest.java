package dev.backstop.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PolicyLoader (keys, defaults, validation, version) and PolicyEngine (decision order, escalation). */
class PolicyTest {
    private static final SqlClassifier C = new SqlClassifier(1 << 20);

    static final String ISSUE_SAMPLE = """
            {"max_snapshot_age_seconds": 120, "max_sidecar_heartbeat_seconds": 60,
             "max_write_rows_without_critical": 250, "max_write_percent_without_critical": 10,
             "protected_tables": ["payments", "users"],
             "protected_columns": {"users": ["email", "plan"], "payments": ["amount", "status"]},
             "unknown_impact_action": "block", "recovery_groups": {}, "max_blocked_attempts_per_window": 2,
             "quarantine_duration_seconds": 3600, "dangerous_retry_window_seconds": 900}""";

    @Test
    void defaultsAreTheDocumentedOnes() {
        Policy p = Policy.defaults();
        assertEquals(Set.of(Risk.HIGH, Risk.IMPACT_CRITICAL, Risk.CRITICAL), p.requireApprovalForRisks());
        assertEquals(Set.of("DROP DATABASE", "DROP SCHEMA"), p.blockOperations());
        assertTrue(p.requireRecoveryForCritical());
        assertTrue(p.blockUnknownOrParseFailure());
        assertTrue(p.impactAnalysisEnabled());
        assertEquals(1000, p.maxWriteRowsWithoutCritical());
        assertEquals(50.0, p.maxWritePercentWithoutCritical());
        assertTrue(p.blockUnrecoverableOperations());
        assertEquals(300, p.maxSnapshotAgeSeconds());
        assertTrue(p.requireSidecarHeartbeat());
        assertEquals(120, p.maxSidecarHeartbeatSeconds());
        assertTrue(p.requireObjectChecksum());
        assertEquals(Set.of(), p.protectedTables());
        assertEquals(Map.of(), p.protectedColumns());
        assertEquals(Outcome.APPROVAL_REQUIRED, p.unknownImpactAction());
        assertEquals(Map.of(), p.recoveryGroups());
        assertFalse(p.foreignKeyGroupingEnabled());
        assertFalse(p.cascadeRiskRequiresGroupReadiness());
        assertEquals(3, p.maxBlockedAttemptsPerWindow());
        assertEquals(600, p.dangerousRetryWindowSeconds());
        assertEquals(1800, p.quarantineDurationSeconds());
        assertFalse(p.quarantineBlocksSafeQueries());
        assertEquals(1 << 20, p.maxStatementBytes());
        assertEquals(3600, p.approvalTtlSeconds());
        assertEquals(30000, p.statementTimeoutMs());
        assertEquals(10000, p.maxResultRows());
        assertTrue(p.version().startsWith("sha256:"));
    }

    @Test
    void emptyObjectEqualsDefaultsIncludingVersion() throws Exception {
        assertEquals(Policy.defaults(), PolicyLoader.parse("{}"));
    }

    @Test
    void issueSampleLoadsAndMeansWhatItSays() throws Exception {
        Policy p = PolicyLoader.parse(ISSUE_SAMPLE);
        assertEquals(120, p.maxSnapshotAgeSeconds());
        assertEquals(60, p.maxSidecarHeartbeatSeconds());
        assertEquals(250, p.maxWriteRowsWithoutCritical());
        assertEquals(10.0, p.maxWritePercentWithoutCritical());
        assertEquals(Set.of("public.payments", "public.users"), p.protectedTables());
        assertEquals(Map.of("public.users", Set.of("email", "plan"), "public.payments", Set.of("amount", "status")),
                p.protectedColumns());
        assertEquals(Outcome.BLOCK, p.unknownImpactAction());
        assertEquals(2, p.maxBlockedAttemptsPerWindow());
        assertEquals(3600, p.quarantineDurationSeconds());
        assertEquals(900, p.dangerousRetryWindowSeconds());
        assertNotEquals(Policy.defaults().version(), p.version());

        // means what it says: a restricted write to a protected table is IMPACT_CRITICAL ...
        Decision d = PolicyEngine.decide(C.classify("UPDATE users SET name = 'x' WHERE id = 1"), p, DecisionContext.NONE);
        assertEquals(Risk.IMPACT_CRITICAL, d.risk());
        assertEquals(Outcome.APPROVAL_REQUIRED, d.outcome());
        assertTrue(d.reasons().contains("protected_table:public.users"));
        assertTrue(d.recoveryGateRequired());
        assertEquals(List.of(new TableRef("public", "users")), d.gateTables());
        // ... 300 rows is over 250 ...
        Decision big = PolicyEngine.decide(C.classify("UPDATE orders SET a = 1 WHERE b = 2"), p,
                new DecisionContext(List.of(new ImpactEstimate(new TableRef("public", "orders"), 300, 1_000_000,
                        ImpactEstimate.Source.EXPLAIN_ESTIMATE)), false, false, false, false));
        assertEquals(Risk.IMPACT_CRITICAL, big.risk());
        assertTrue(big.reasons().contains("impact_rows_exceeded"));
        // ... and unknown impact blocks
        Decision unknown = PolicyEngine.decide(C.classify("UPDATE orders SET a = 1 WHERE b = 2"), p,
                new DecisionContext(List.of(), true, false, false, false));
        assertEquals(Outcome.BLOCK, unknown.outcome());
        assertTrue(unknown.reasons().contains("blocked_unknown_impact"));
    }

    @Test
    void allProblemsAreReportedWithTheirKeys() {
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.parse("""
                {"bogus": 1, "require_approval_for_risks": ["HIGH", "SCARY"], "block_operations": ["DROP UNIVERSE X Y Z", "NUKE"],
                 "max_write_rows_without_critical": -1, "impact_analysis_enabled": "yes",
                 "unknown_impact_action": "maybe", "protected_columns": {"users": "email"},
                 "max_write_percent_without_critical": 150}"""));
        List<String> keys = e.problems().stream().map(PolicyException.Problem::key).toList();
        assertEquals(List.of("bogus", "require_approval_for_risks", "block_operations", "block_operations",
                "max_write_rows_without_critical", "impact_analysis_enabled", "unknown_impact_action",
                "protected_columns.users", "max_write_percent_without_critical"), keys);
        assertTrue(e.getMessage().contains("bogus: unknown key"));
    }

    @Test
    void quotedTableNamesAreRefusedBecauseTheyWouldProtectNothing() throws Exception {
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.parse("""
                {"protected_tables": ["\\"ops.v2\\".orders", "public.ok"],
                 "protected_columns": {"ops.\\"v2.orders\\"": ["email"]},
                 "recovery_groups": {"billing": ["public.invoices", "\\"Public\\".payments"]}}"""));
        List<String> keys = e.problems().stream().map(PolicyException.Problem::key).toList();
        assertEquals(List.of("protected_tables", "protected_columns", "recovery_groups.billing"), keys);
        assertTrue(e.getMessage().contains("protected_tables: '\"ops.v2\".orders': write table names without quotes,"
                + " exactly as stored (a name with a dot is written plainly: ops.v2.orders matches both"
                + " \"ops.v2\".orders and ops.\"v2.orders\")"), e.getMessage());
        // Written plainly, the dotted name protects both tables it can stand for.
        Policy p = PolicyLoader.parse("{\"protected_tables\": [\"ops.v2.orders\"]}");
        for (String sql : List.of("UPDATE \"ops.v2\".orders SET a = 1 WHERE id = 1",
                "UPDATE ops.\"v2.orders\" SET a = 1 WHERE id = 1")) {
            Decision d = PolicyEngine.decide(C.classify(sql), p, DecisionContext.NONE);
            assertTrue(d.reasons().contains("protected_table:ops.v2.orders"), sql + ": " + d.reasons());
        }
    }

    @Test
    void malformedJsonIsRefused() {
        assertThrows(PolicyException.class, () -> PolicyLoader.parse("{"));
        assertThrows(PolicyException.class, () -> PolicyLoader.parse("[]"));
    }

    @Test
    void versionIsStableAndOrderIndependent() throws Exception {
        Policy a = PolicyLoader.parse("{\"protected_tables\": [\"a\", \"b\"], \"max_result_rows\": 5}");
        Policy b = PolicyLoader.parse("{\"max_result_rows\": 5, \"protected_tables\": [\"b\", \"a\"]}");
        assertEquals(a.version(), b.version());
    }

    @Test
    void shippedExamplesLoad() throws Exception {
        for (String name : List.of("default", "strict", "permissive-reads")) {
            Path p = Path.of("examples", name + ".json");
            assertTrue(Files.exists(p), p.toString());
            PolicyLoader.load(p);
        }
        assertEquals(Policy.defaults().version(), PolicyLoader.load(Path.of("examples", "default.json")).version());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            safe read executes                 | SELECT 1                          | false | false | EXECUTE           | SAFE
            pause blocks non-safe              | INSERT INTO t VALUES (1)          | true  | false | BLOCK             | LOW
            pause lets safe through            | SELECT 1                          | true  | false | EXECUTE           | SAFE
            quarantine blocks non-safe         | INSERT INTO t VALUES (1)          | false | true  | BLOCK             | LOW
            quarantine lets safe through       | SELECT 1                          | false | true  | EXECUTE           | SAFE
            block_operations                   | DROP SCHEMA s                     | false | false | BLOCK             | CRITICAL
            parse failure blocked              | SELEC 1                           | false | false | BLOCK             | CRITICAL
            unrecoverable critical blocked     | ALTER SYSTEM SET a = 1            | false | false | BLOCK             | CRITICAL
            recoverable critical needs approval| TRUNCATE t                        | false | false | APPROVAL_REQUIRED | CRITICAL
            high needs approval                | CREATE TABLE t (a int)            | false | false | APPROVAL_REQUIRED | HIGH
            medium executes                    | DELETE FROM t WHERE id = 1        | false | false | EXECUTE           | MEDIUM
            transaction control blocked        | BEGIN                             | false | false | BLOCK             | HIGH
            empty blocked                      | ;                                 | false | false | BLOCK             | CRITICAL
            """)
    void decisionOrder(String name, String sql, boolean paused, boolean quarantined, Outcome outcome, Risk risk) {
        Decision d = PolicyEngine.decide(C.classify(sql), Policy.defaults(),
                new DecisionContext(List.of(), false, paused, false, quarantined));
        assertEquals(outcome, d.outcome(), d.reasons().toString());
        assertEquals(risk, d.risk());
    }

    @Test
    void pauseFirstThenQuarantineReasons() {
        Decision d = PolicyEngine.decide(C.classify("DROP SCHEMA s"), Policy.defaults(),
                new DecisionContext(List.of(), false, true, false, true));
        assertEquals("emergency_pause", d.reasons().get(0));
        Decision all = PolicyEngine.decide(C.classify("SELECT 1"), Policy.defaults(),
                new DecisionContext(List.of(), false, true, true, false));
        assertEquals(Outcome.BLOCK, all.outcome());
    }

    @Test
    void parseFailureGoesToApprovalWhenNotBlocked() throws Exception {
        Policy p = PolicyLoader.parse("{\"block_unknown_or_parse_failure\": false, \"block_unrecoverable_operations\": false}");
        Decision d = PolicyEngine.decide(C.classify("SELEC 1"), p, DecisionContext.NONE);
        assertEquals(Outcome.APPROVAL_REQUIRED, d.outcome());
    }

    @Test
    void percentLimitEscalates() {
        Decision d = PolicyEngine.decide(C.classify("DELETE FROM t WHERE a = 1"), Policy.defaults(),
                new DecisionContext(List.of(new ImpactEstimate(new TableRef("public", "t"), 60, 100,
                        ImpactEstimate.Source.ACTUAL_ROW_COUNT)), false, false, false, false));
        assertEquals(Risk.IMPACT_CRITICAL, d.risk());
        assertEquals(List.of("impact_percent_exceeded", "risk_requires_approval", "recovery_gate_required",
                "where_restricted_write"), d.reasons());
        assertTrue(d.recoveryGateRequired());
        Decision off = PolicyEngine.decide(C.classify("DELETE FROM t WHERE a = 1"), Policy.defaults(),
                new DecisionContext(List.of(new ImpactEstimate(new TableRef("public", "t"), 40, 100,
                        ImpactEstimate.Source.ACTUAL_ROW_COUNT)), false, false, false, false));
        assertEquals(Outcome.EXECUTE, off.outcome());
    }

    @Test
    void percentLimitDoesNotApplyToPlainInserts() {
        TableRef t = new TableRef("public", "t");
        Decision insert = PolicyEngine.decide(C.classify("INSERT INTO t (a) VALUES (1)"), Policy.defaults(),
                new DecisionContext(List.of(new ImpactEstimate(t, 1, 1, ImpactEstimate.Source.ACTUAL_ROW_COUNT)),
                        false, false, false, false));
        assertEquals(Outcome.EXECUTE, insert.outcome());
        assertEquals(Risk.LOW, insert.risk());
        Decision upsert = PolicyEngine.decide(
                C.classify("INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = excluded.a"),
                Policy.defaults(),
                new DecisionContext(List.of(new ImpactEstimate(t, 1, 1, ImpactEstimate.Source.ACTUAL_ROW_COUNT)),
                        false, false, false, false));
        assertEquals(Risk.IMPACT_CRITICAL, upsert.risk());
        Decision bulkInsert = PolicyEngine.decide(C.classify("INSERT INTO t (a) SELECT g FROM generate_series(1, 5000) g"),
                Policy.defaults(),
                new DecisionContext(List.of(new ImpactEstimate(t, 5000, 10, ImpactEstimate.Source.ACTUAL_ROW_COUNT)),
                        false, false, false, false));
        assertEquals(List.of("impact_rows_exceeded", "risk_requires_approval", "recovery_gate_required"),
                bulkInsert.reasons().subList(0, 3));
    }

    @Test
    void protectedColumnsUseTheAst() throws Exception {
        Policy p = PolicyLoader.parse("{\"protected_columns\": {\"users\": [\"email\"]}}");
        Decision hit = PolicyEngine.decide(C.classify("UPDATE users SET email = 'x' WHERE id = 1"), p, DecisionContext.NONE);
        assertEquals(Risk.IMPACT_CRITICAL, hit.risk());
        assertTrue(hit.reasons().contains("protected_column:public.users.email"));
        Decision miss = PolicyEngine.decide(C.classify("UPDATE users SET name = 'SET email = 1' WHERE id = 1 -- SET email"),
                p, DecisionContext.NONE);
        assertEquals(Risk.MEDIUM, miss.risk());
        assertEquals(Outcome.EXECUTE, miss.outcome());
    }

    @Test
    void recoveryGroupsExpandGateTables() throws Exception {
        Policy p = PolicyLoader.parse("{\"recovery_groups\": {\"billing\": [\"invoices\", \"invoice_lines\"]},"
                + " \"cascade_risk_requires_group_readiness\": true}");
        Decision d = PolicyEngine.decide(C.classify("TRUNCATE invoices CASCADE"), p, DecisionContext.NONE);
        assertTrue(d.recoveryGateRequired());
        assertEquals(List.of(new TableRef("public", "invoice_lines"), new TableRef("public", "invoices")), d.gateTables());
        assertTrue(d.reasons().contains("recovery_group:billing"));
        assertTrue(d.reasons().contains("cascade_requires_group_readiness"));
    }

    @Test
    void noRecoveryGateWhenDisabledOrBlocked() throws Exception {
        Policy p = PolicyLoader.parse("{\"require_recovery_for_critical\": false}");
        assertFalse(PolicyEngine.decide(C.classify("TRUNCATE t"), p, DecisionContext.NONE).recoveryGateRequired());
        assertFalse(PolicyEngine.decide(C.classify("DROP SCHEMA s"), Policy.defaults(), DecisionContext.NONE).recoveryGateRequired());
    }

    @Test
    void unknownImpactApproveEscalatesAndExecuteDoesNot() throws Exception {
        DecisionContext unknown = new DecisionContext(List.of(), true, false, false, false);
        Decision approve = PolicyEngine.decide(C.classify("UPDATE t SET a = 1 WHERE id = 1"), Policy.defaults(), unknown);
        assertEquals(Risk.IMPACT_CRITICAL, approve.risk());
        assertEquals(Outcome.APPROVAL_REQUIRED, approve.outcome());
        Policy exec = PolicyLoader.parse("{\"unknown_impact_action\": \"execute\"}");
        assertEquals(Outcome.EXECUTE, PolicyEngine.decide(C.classify("UPDATE t SET a = 1 WHERE id = 1"), exec, unknown).outcome());
    }

    @Test
    void decisionIsDeterministic() {
        Classification c = C.classify("DELETE FROM t; SELECT 1");
        assertEquals(PolicyEngine.decide(c, Policy.defaults(), DecisionContext.NONE),
                PolicyEngine.decide(c, Policy.defaults(), DecisionContext.NONE));
    }

    @Test
    void twoTablesWhoseDottedNamesReadAlikeAreBothUnderTheGate() {
        Decision d = PolicyEngine.decide(C.classify("DROP TABLE \"a.b\".c, a.\"b.c\""), Policy.defaults(),
                DecisionContext.NONE);
        assertEquals(Risk.CRITICAL, d.risk());
        assertTrue(d.recoveryGateRequired());
        assertEquals(List.of(new TableRef("a", "b.c"), new TableRef("a.b", "c")), d.gateTables());
    }
}
