package dev.backstop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the command in-process with in-memory streams. */
class BackstopCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BackstopCli.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void humanOutputShowsDecisionRiskAndStatements() {
        Run r = run("", "DELETE FROM users; SELECT 1");
        assertEquals(0, r.exit());
        assertEquals("""
                decision: approval_required
                risk:     CRITICAL
                reasons:  risk_requires_approval, recovery_gate_required, no_where_clause, multiple_statements
                recovery gate: required for public.users
                statements: 2
                  [0] chars 0-17  DELETE  CRITICAL  tables=public.users  reasons=no_where_clause
                  [1] chars 19-27  SELECT  SAFE
                """, r.out());
    }

    @Test
    void explicitClassifySubcommandAndStdin() throws Exception {
        Run r = run("DROP SCHEMA s", "classify", "--json");
        assertEquals(0, r.exit());
        JsonNode j = JSON.readTree(r.out());
        assertEquals("block", j.get("outcome").asText());
        assertEquals("CRITICAL", j.get("risk").asText());
        assertEquals("DROP SCHEMA", j.get("statements").get(0).get("operation").asText());
        assertTrue(j.get("policy_version").asText().startsWith("sha256:"));
    }

    @Test
    void policyFileChangesTheDecision(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("p.json");
        Files.writeString(p, "{\"require_approval_for_risks\": [\"LOW\", \"MEDIUM\", \"HIGH\", \"IMPACT_CRITICAL\", \"CRITICAL\"]}");
        JsonNode j = JSON.readTree(run("", "--policy", p.toString(), "--json", "INSERT INTO t VALUES (1)").out());
        assertEquals("approval_required", j.get("outcome").asText());
    }

    @Test
    void badPolicyFileExitsTwoWithTheKeyNamed(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("bad.json");
        Files.writeString(p, "{\"bogus\": true, \"max_result_rows\": -5}");
        Run r = run("", "--policy", p.toString(), "SELECT 1");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("bogus: unknown key"), r.err());
        assertTrue(r.err().contains("max_result_rows"), r.err());
        assertEquals(2, run("", "--policy", dir.resolve("missing.json").toString(), "SELECT 1").exit());
    }

    @Test
    void badUsageExitsTwo() {
        assertEquals(2, run("", "--no-such-option").exit());
        assertEquals(2, run("", "--jsonl", "SELECT 1").exit());
        assertEquals(2, run("", "a", "b").exit());
    }

    @Test
    void jsonlHandlesTenThousandLinesWithBadOnesInOrder() throws Exception {
        List<String> kinds = List.of(
                "{\"id\": %d, \"sql\": \"SELECT * FROM orders WHERE id = %d\"}",
                "{\"id\": %d, \"sql\": \"DELETE FROM orders WHERE %d = %<d\"}",
                "not json %d %d",
                "{\"id\": %d, \"query\": \"%d\"}",
                "{\"id\": \"s%d\", \"sql\": \"UPDATE users SET plan = 'x' WHERE id = %d\"}",
                "[%d, %d]",
                "{\"id\": %d, \"sql\": \"BEGIN; SELECT %d\"}",
                "");
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            in.append(String.format(kinds.get(i % kinds.size()), i, i)).append('\n');
        }
        Run r = run(in.toString(), "--jsonl");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(10_000, lines.length);
        for (int i = 0; i < 10_000; i++) {
            JsonNode j = JSON.readTree(lines[i]);
            switch (i % kinds.size()) {
                case 0 -> {
                    assertEquals(i, j.get("id").asInt());
                    assertEquals("execute", j.get("outcome").asText());
                    assertEquals("SAFE", j.get("risk").asText());
                    assertTrue(j.get("parse_ok").asBoolean());
                    assertEquals(1, j.get("statements").size());
                }
                case 1 -> {
                    assertEquals("CRITICAL", j.get("risk").asText());
                    assertTrue(j.get("reasons").toString().contains("tautological_where"));
                }
                case 2 -> assertEquals("malformed_json", j.get("error").get("code").asText());
                case 3 -> {
                    assertEquals(i, j.get("id").asInt());
                    assertEquals("missing_sql", j.get("error").get("code").asText());
                }
                case 4 -> {
                    assertEquals("s" + i, j.get("id").asText());
                    assertEquals("MEDIUM", j.get("risk").asText());
                }
                case 5 -> assertEquals("malformed_input", j.get("error").get("code").asText());
                case 6 -> {
                    assertEquals("block", j.get("outcome").asText());
                    assertTrue(j.get("reasons").toString().contains("transaction_control"));
                }
                default -> assertEquals(i + 1, j.get("line").asInt());
            }
        }
    }

    @Test
    void defaultPolicyComesFromTheEnvironmentThenTheDemoFolder() {
        assertEquals(Path.of("/etc/backstop/policy.json"), ClassifyCommand.defaultPolicyFile("/etc/backstop/policy.json"));
        // the tests run in the module folder, which has no .backstop-demo/: built-in defaults
        assertEquals(Files.isRegularFile(ClassifyCommand.DEMO_POLICY) ? ClassifyCommand.DEMO_POLICY : null,
                ClassifyCommand.defaultPolicyFile(null));
        assertEquals(null, ClassifyCommand.defaultPolicyFile(" "));
    }
}
