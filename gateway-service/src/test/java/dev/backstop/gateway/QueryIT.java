package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backstop.gateway.GatewayFixture.Resp;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * /v1/query end to end against real PostgreSQL: outcomes, execution safety, results, row guard.
 * Policy: HIGH executes (so SET / dangerous functions reach the executor), IMPACT_CRITICAL and
 * CRITICAL need approval, no recovery gate; impact analysis on.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class QueryIT {
    static final String POLICY = """
            {"require_approval_for_risks": ["IMPACT_CRITICAL", "CRITICAL"],
             "require_recovery_for_critical": false,
             "impact_analysis_enabled": true,
             "max_write_rows_without_critical": 1000,
             "max_write_percent_without_critical": 50,
             "max_blocked_attempts_per_window": 1000}
            """;
    static GatewayFixture gw;

    @BeforeAll
    static void start(PgDatabase db) throws Exception {
        gw = new GatewayFixture(db, "gw_query_it");
        gw.poolSize = 1; // one target connection: the next request reuses the previous one's session
        gw.sql("CREATE TABLE items (id int PRIMARY KEY, name text)",
                "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 10) g",
                "CREATE TABLE audit_me (id int)",
                "CREATE FUNCTION sneaky_insert() RETURNS int LANGUAGE plpgsql AS"
                        + " $$ BEGIN INSERT INTO audit_me VALUES (1); RETURN 1; END $$",
                // 10,000 rows; a, b, c, d perfectly correlated so the planner underestimates a filter on all four.
                "CREATE TABLE big (id int PRIMARY KEY, a int, b int, c int, d int)",
                "INSERT INTO big SELECT g, g % 2, g % 2, g % 2, g % 2 FROM generate_series(1, 10000) g",
                "ANALYZE big",
                // A function the classifier cannot see into: a SELECT calling it is SAFE, yet it changes
                // session state in every way a READ ONLY transaction allows.
                "CREATE FUNCTION report_totals() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
                        + " PERFORM set_config('search_path', 'other', false);"
                        + " PERFORM set_config('statement_timeout', '1234', false);"
                        + " PERFORM pg_advisory_lock(4343);"
                        + " EXECUTE 'PREPARE leaked_plan AS SELECT 1';"
                        + " EXECUTE 'LISTEN leaked_channel';"
                        + " EXECUTE 'DECLARE leaked_cursor CURSOR WITH HOLD FOR SELECT 1';"
                        + " RETURN 1; END $$",
                // Raises what a server refusing DISCARD ALL in a pipeline would (active_sql_transaction).
                "CREATE FUNCTION raises_25001() RETURNS int LANGUAGE plpgsql AS"
                        + " $$ BEGIN RAISE EXCEPTION 'not a pipeline refusal' USING ERRCODE = '25001'; END $$",
                "CREATE SCHEMA other",
                "CREATE TABLE other.items (id int)");
        gw.start(POLICY, """
                maxResultRows: 10000
                maxConcurrentRequestsPerPrincipal: 1
                maxRequestBytes: 4096""");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void safeSelectExecutesWithTypedColumns() throws Exception {
        Resp r = gw.query(GatewayFixture.AGENT, "SELECT id, name FROM items WHERE id <= 2 ORDER BY id");
        assertEquals(200, r.status(), r.raw());
        assertEquals("executed", r.body().get("status").asText());
        assertEquals("SAFE", r.body().get("risk").asText());
        assertEquals("SELECT", r.body().get("operation").asText());
        assertEquals("[{\"name\":\"id\",\"type\":\"int4\"},{\"name\":\"name\",\"type\":\"text\"}]",
                r.body().get("columns").toString());
        assertEquals("[[1,\"item 1\"],[2,\"item 2\"]]", r.body().get("rows").toString());
        assertEquals(2, r.body().get("row_count").asLong());
        assertFalse(r.body().get("truncated").asBoolean());
        assertEquals(36, r.body().get("audit_id").asText().length());
    }

    @Test
    void valuesAreLossless() throws Exception {
        Resp r = gw.query(GatewayFixture.AGENT, "SELECT 12345678901234567890.000000000001::numeric AS n,"
                + " 9223372036854775807::int8 AS big, '2024-02-29 13:14:15.123456+02'::timestamptz AS ts,"
                + " '\\x00ff10'::bytea AS b, '{\"a\": [1, 2.50, null], \"b\": {\"c\": true}}'::jsonb AS j,"
                + " ARRAY[1, NULL, 3]::int[] AS arr, ARRAY[['a','b'],['c','d']] AS arr2, NULL::text AS nothing,"
                + " true AS yes, 1.5::float8 AS f, 'NaN'::float8 AS nan, '2024-01-02'::date AS d");
        assertEquals(200, r.status(), r.raw());
        JsonNode row = r.body().get("rows").get(0);
        assertEquals("\"12345678901234567890.000000000001\"", row.get(0).toString());
        assertEquals("\"9223372036854775807\"", row.get(1).toString());
        assertEquals("\"2024-02-29T11:14:15.123456Z\"", row.get(2).toString());
        assertEquals("\"AP8Q\"", row.get(3).toString());
        assertTrue(r.raw().contains("{\"a\":[1,2.50,null],\"b\":{\"c\":true}}"), r.raw()); // exact decimal text
        assertEquals("[1,null,3]", row.get(5).toString());
        assertEquals("[[\"a\",\"b\"],[\"c\",\"d\"]]", row.get(6).toString());
        assertTrue(row.get(7).isNull());
        assertEquals("true", row.get(8).toString());
        assertEquals("1.5", row.get(9).toString());
        assertEquals("\"NaN\"", row.get(10).toString());
        assertEquals("\"2024-01-02\"", row.get(11).toString());
        assertEquals("[\"numeric\",\"int8\",\"timestamptz\",\"bytea\",\"jsonb\",\"_int4\",\"_text\",\"text\",\"bool\","
                        + "\"float8\",\"float8\",\"date\"]",
                types(r.body().get("columns")));
    }

    @Test
    void maxRowsTruncationIsFlagged() throws Exception {
        Resp r = gw.post(GatewayFixture.AGENT, "/v1/query", "{\"sql\":\"SELECT id FROM items ORDER BY id\",\"max_rows\":3}");
        assertEquals(200, r.status(), r.raw());
        assertEquals("[[1],[2],[3]]", r.body().get("rows").toString());
        assertTrue(r.body().get("truncated").asBoolean());
        assertEquals(3, r.body().get("row_count").asLong());
    }

    @Test
    void smallWriteExecutesAndCommits() throws Exception {
        Resp r = gw.query(GatewayFixture.AGENT, "INSERT INTO items VALUES (100, 'new')");
        assertEquals(200, r.status(), r.raw());
        assertEquals("LOW", r.body().get("risk").asText());
        assertEquals(1, r.body().get("row_count").asLong());
        assertEquals("new", gw.value("SELECT name FROM items WHERE id = 100"));
        gw.sql("DELETE FROM items WHERE id = 100");
    }

    @Test
    void criticalNeedsApprovalAndNothingRuns() throws Exception {
        Resp r = gw.query(GatewayFixture.AGENT, "DELETE FROM items");
        assertEquals(202, r.status(), r.raw());
        assertEquals("approval_required", r.body().get("status").asText());
        assertEquals("CRITICAL", r.body().get("risk").asText());
        assertTrue(r.body().get("reasons").toString().contains("no_where_clause"), r.raw());
        assertEquals(36, r.body().get("approval_id").asText().length());
        assertEquals("2026-01-01T01:00:00Z", r.body().get("expires_at").asText()); // default TTL 3600 s
        assertEquals(10, gw.count("SELECT count(*) FROM items WHERE id <= 10"));
    }

    @Test
    void blockedOperationNeverTouchesTheDatabase() throws Exception {
        Resp r = gw.query(GatewayFixture.AGENT, "DROP SCHEMA other CASCADE");
        assertEquals(403, r.status(), r.raw());
        assertEquals("blocked", r.body().get("status").asText());
        assertTrue(r.body().get("reasons").toString().contains("blocked_operation:DROP SCHEMA"), r.raw());
        assertEquals(1, gw.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'other'"));
    }

    @Test
    void transactionControlIsRefused() throws Exception {
        Resp r = gw.query(GatewayFixture.AGENT, "COMMIT; DELETE FROM items WHERE id = 1");
        assertEquals(403, r.status(), r.raw());
        assertTrue(r.body().get("reasons").toString().contains("transaction_control"), r.raw());
        assertEquals(1, gw.count("SELECT count(*) FROM items WHERE id = 1"));
    }

    @Test
    void stateSchemaIsOffLimits() throws Exception {
        Resp r = gw.query(GatewayFixture.AGENT, "SELECT * FROM backstop.approvals");
        assertEquals(403, r.status(), r.raw());
        assertTrue(r.body().get("reasons").toString().contains("state_schema_access"), r.raw());
    }

    @Test
    void multiStatementTextIsAllOrNothing() throws Exception {
        Resp r = gw.query(GatewayFixture.AGENT, "INSERT INTO items VALUES (200, 'a'); INSERT INTO items VALUES (1, 'dup')");
        assertEquals(400, r.status(), r.raw());
        assertEquals("query_failed", r.code());
        assertEquals("23505", r.body().get("error").get("details").get("sqlstate").asText());
        assertEquals(1, r.body().get("error").get("details").get("statement_index").asInt());
        assertEquals(0, gw.count("SELECT count(*) FROM items WHERE id = 200"));
    }

    @Test
    void safeStatementCallingAWritingFunctionFailsReadOnly() throws Exception {
        Resp r = gw.query(GatewayFixture.AGENT, "SELECT sneaky_insert()");
        assertEquals(400, r.status(), r.raw());
        assertEquals("25006", r.body().get("error").get("details").get("sqlstate").asText()); // read_only_sql_transaction
        assertEquals(0, gw.count("SELECT count(*) FROM audit_me"));
    }

    /**
     * A request of one SAFE statement goes out in one round trip (BEGIN READ ONLY, the statement, ROLLBACK and
     * DISCARD ALL with one Sync); one that fails leaves its session clean and in the pool (same backend after).
     */
    @Test
    void aSingleReadTakesOneRoundTripAndAFailedOneKeepsItsCleanSession() throws Exception {
        long one = readsByRoundTrips("1");
        long two = readsByRoundTrips("2");
        String pid = gw.query(GatewayFixture.AGENT, "SELECT pg_backend_pid()").body().get("rows").get(0).get(0).asText();

        Resp failed = gw.query(GatewayFixture.AGENT, "SELECT sneaky_insert()");
        assertEquals(400, failed.status(), failed.raw());
        assertEquals("25006", failed.body().get("error").get("details").get("sqlstate").asText());
        Resp after = gw.query(GatewayFixture.AGENT, "SELECT pg_backend_pid(), current_setting('transaction_read_only'),"
                + " (SELECT count(*) FROM items WHERE id <= 10)");
        assertEquals(200, after.status(), after.raw());
        assertEquals("[[" + pid + ",\"on\",\"10\"]]", after.body().get("rows").toString());
        assertEquals(one + 3, readsByRoundTrips("1"));
        assertEquals(two, readsByRoundTrips("2"));

        // An agent's statement failing with the SQLSTATE of a pipeline refusal is the statement's failure: it is
        // neither run again nor a reason to give up the one-trip path.
        Resp lookalike = gw.query(GatewayFixture.AGENT, "SELECT raises_25001()");
        assertEquals(400, lookalike.status(), lookalike.raw());
        assertEquals("25001", lookalike.body().get("error").get("details").get("sqlstate").asText());
        assertEquals(200, gw.query(GatewayFixture.AGENT, "SELECT 1").status());
        assertEquals(one + 5, readsByRoundTrips("1"));
        assertEquals(two, readsByRoundTrips("2"));

        Resp pair = gw.query(GatewayFixture.AGENT, "SELECT 1; SELECT 2");
        assertEquals(200, pair.status(), pair.raw());
        assertEquals(two + 1, readsByRoundTrips("2")); // several statements: the two-trip path
        assertEquals(0, gw.count("SELECT count(*) FROM audit_me"));
    }

    private static long readsByRoundTrips(String trips) throws Exception {
        String prefix = "backstop_target_reads_total{round_trips=\"" + trips + "\"} ";
        return gw.get(GatewayFixture.OPERATOR, "/metrics").raw().lines().filter(l -> l.startsWith(prefix))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(prefix.length()))).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + prefix));
    }

    @Test
    void sessionStateDoesNotLeakToTheNextRequest() throws Exception {
        assertEquals("[[\"30s\"]]", gw.query(GatewayFixture.AGENT, "SHOW statement_timeout").body().get("rows").toString());
        String fresh = gw.query(GatewayFixture.AGENT, "SHOW search_path").body().get("rows").get(0).get(0).asText();
        assertEquals("public", fresh); // pinned: what the classifier assumes

        Resp set = gw.query(GatewayFixture.AGENT, "SET search_path TO other");
        assertEquals(422, set.status(), set.raw());
        assertEquals("session_state_refused", set.code());

        // Lasting only for the request, but the statements after it were classified as public.items:
        // refused, nothing runs (names could otherwise reach tables nobody classified or checked).
        Resp local = gw.query(GatewayFixture.AGENT, "SET LOCAL search_path TO other; SELECT count(*) FROM items");
        assertEquals(422, local.status(), local.raw());
        assertEquals("search_path_changed", local.code(), local.raw());
        Resp localAlone = gw.query(GatewayFixture.AGENT, "SET LOCAL search_path TO other");
        assertEquals(200, localAlone.status(), localAlone.raw());

        Resp viaFunction = gw.query(GatewayFixture.AGENT, "SELECT set_config('search_path', 'other', false)");
        assertEquals(200, viaFunction.status(), viaFunction.raw());

        Resp lock = gw.query(GatewayFixture.AGENT, "SELECT pg_advisory_lock(4242)");
        assertEquals(200, lock.status(), lock.raw());

        // The pool has one connection: the next requests run on the same session.
        assertEquals("public",
                gw.query(GatewayFixture.AGENT, "SHOW search_path").body().get("rows").get(0).get(0).asText());
        assertEquals("[[\"10\"]]", gw.query(GatewayFixture.AGENT, "SELECT count(*) FROM items WHERE id <= 10")
                .body().get("rows").toString());
        assertEquals(0, gw.count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
    }

    /**
     * A READ ONLY request is not committed: it ends with ROLLBACK + DISCARD ALL in one round trip.
     * Nothing a SAFE statement's (unvetted) function did to the session survives into the next
     * request on the same connection (the pool has one).
     */
    @Test
    void safeReadCallingAnUnvettedFunctionLeavesNothingInTheSession() throws Exception {
        String probe = "SELECT current_setting('search_path'), current_setting('statement_timeout'),"
                + " (SELECT count(*) FROM pg_prepared_statements WHERE name = 'leaked_plan'),"
                + " (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()),"
                + " (SELECT count(*) FROM pg_cursors WHERE name = 'leaked_cursor'),"
                + " (SELECT count(*) FROM pg_listening_channels() c WHERE c = 'leaked_channel')";
        // Inside the request, the function really did change the session (so this test can fail): seen by
        // the same statement (a later statement would be refused, its search_path having changed).
        Resp inside = gw.query(GatewayFixture.AGENT, "SELECT report_totals(), " + probe.substring("SELECT ".length()));
        assertEquals(200, inside.status(), inside.raw());
        assertEquals("SAFE", inside.body().get("risk").asText());
        assertEquals("[[1,\"other\",\"1234ms\",\"1\",\"1\",\"1\",\"0\"]]", inside.body().get("rows").toString());
        Resp next = gw.query(GatewayFixture.AGENT, "SELECT report_totals(); " + probe);
        assertEquals(422, next.status(), next.raw());
        assertEquals("search_path_changed", next.code(), next.raw());

        Resp alone = gw.query(GatewayFixture.AGENT, "SELECT report_totals()");
        assertEquals(200, alone.status(), alone.raw());
        assertEquals("SAFE", alone.body().get("risk").asText());

        // The next request runs on the same session: nothing is left.
        Resp after = gw.query(GatewayFixture.AGENT, probe);
        assertEquals(200, after.status(), after.raw());
        assertEquals("[[\"public\",\"30s\",\"0\",\"0\",\"0\",\"0\"]]",
                after.body().get("rows").toString());
        assertEquals(0, gw.count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
        // And the session is still usable for writes after the READ ONLY requests.
        Resp write = gw.query(GatewayFixture.AGENT, "INSERT INTO audit_me VALUES (7)");
        assertEquals(200, write.status(), write.raw());
        gw.sql("DELETE FROM audit_me WHERE id = 7");
    }

    @Test
    void underestimatedLargeDeleteIsRolledBackAndNeedsApproval() throws Exception {
        // The planner expects ~625 rows (four correlated 50% filters); 5,000 rows match.
        Resp classify = gw.post(GatewayFixture.AGENT, "/v1/classify",
                "{\"sql\":\"DELETE FROM big WHERE a = 0 AND b = 0 AND c = 0 AND d = 0\"}");
        assertEquals(200, classify.status(), classify.raw());
        assertEquals("execute", classify.body().get("decision").get("outcome").asText());
        long estimate = classify.body().get("impact").get(0).get("rows_affected").asLong();
        assertTrue(estimate < 1000, classify.raw());

        Resp r = gw.query(GatewayFixture.AGENT, "DELETE FROM big WHERE a = 0 AND b = 0 AND c = 0 AND d = 0");
        assertEquals(202, r.status(), r.raw());
        assertEquals("approval_required", r.body().get("status").asText());
        assertEquals("IMPACT_CRITICAL", r.body().get("risk").asText());
        assertTrue(r.body().get("reasons").toString().contains("impact_rows_exceeded"), r.raw());
        assertTrue(r.body().get("reasons").toString().contains("rolled_back_over_limit"), r.raw());
        assertEquals(10000, gw.count("SELECT count(*) FROM big"));
    }

    @Test
    void explainEstimateHoldsALargeWriteBeforeItRuns() throws Exception {
        Resp classify = gw.post(GatewayFixture.AGENT, "/v1/classify", "{\"sql\":\"UPDATE big SET a = 5 WHERE id <= 3000\"}");
        assertEquals("approval_required", classify.body().get("decision").get("outcome").asText(), classify.raw());
        assertEquals("IMPACT_CRITICAL", classify.body().get("decision").get("risk").asText());
        assertEquals("explain_estimate", classify.body().get("impact").get(0).get("source").asText());
        assertEquals("public.big", classify.body().get("impact").get(0).get("table").asText());

        Resp r = gw.query(GatewayFixture.AGENT, "UPDATE big SET a = 5 WHERE id <= 3000");
        assertEquals(202, r.status(), r.raw());
        assertFalse(r.body().get("reasons").toString().contains("rolled_back_over_limit"), r.raw());
        assertEquals(0, gw.count("SELECT count(*) FROM big WHERE a = 5"));
    }

    @Test
    void errorCodes() throws Exception {
        assertError(gw.query(null, "SELECT 1"), 401, "unauthorized");
        assertError(gw.query("wrong-token", "SELECT 1"), 401, "unauthorized");
        assertError(gw.post(GatewayFixture.AGENT, "/v1/query", "{\"sql\": "), 400, "malformed_json");
        assertError(gw.post(GatewayFixture.AGENT, "/v1/query", "{\"sql\": \"SELECT 1\", \"bogus\": 1}"), 400,
                "malformed_json");
        assertError(gw.post(GatewayFixture.AGENT, "/v1/query", "{\"reason\": \"x\"}"), 422, "missing_sql");
        assertError(gw.post(GatewayFixture.AGENT, "/v1/query", "{\"sql\":\"SELECT 1\",\"max_rows\":-1}"), 422,
                "invalid_request");
        assertError(gw.post(GatewayFixture.AGENT, "/v1/query", "{\"sql\":\"SELECT '\\u0000'\"}"), 422,
                "invalid_request");
        assertError(gw.post(GatewayFixture.AGENT, "/v1/admin/pause", "{\"reason\":\"x\"}"), 403, "forbidden");
        assertError(gw.get(GatewayFixture.AGENT, "/v1/audit"), 403, "forbidden");
        assertError(gw.get(GatewayFixture.OPERATOR, "/v1/approvals/00000000-0000-0000-0000-000000000000"), 404,
                "approval_not_found");
        assertError(gw.get(GatewayFixture.OPERATOR, "/v1/approvals/not-a-uuid"), 404, "approval_not_found");
        assertError(gw.get(GatewayFixture.AGENT, "/v1/nothing-here"), 404, "not_found");
        assertError(gw.get(GatewayFixture.AGENT, "/v1/query"), 405, "method_not_allowed");
        assertError(gw.send(java.net.http.HttpRequest.newBuilder(gw.uri("/v1/query"))
                .header("Authorization", "Bearer " + GatewayFixture.AGENT).header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("SELECT 1")).build()), 415,
                "unsupported_media_type");
        assertError(gw.send(java.net.http.HttpRequest.newBuilder(gw.uri("/v1/query"))
                .header("Authorization", "Bearer " + GatewayFixture.AGENT).header("Content-Type", "application/json")
                .header("Accept", "text/html, application/json;q=0")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"sql\":\"SELECT 1\"}")).build()), 406,
                "not_acceptable");
        assertError(gw.send(java.net.http.HttpRequest.newBuilder(gw.uri("/v1/query"))
                .header("Authorization", "Bearer " + GatewayFixture.AGENT).header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"sql\":\"SELECT 1\"}")).build()), 405,
                "method_not_allowed");
        assertError(gw.post(GatewayFixture.AGENT, "/v1/query", ""), 422, "missing_sql");
        assertError(gw.post(GatewayFixture.OPERATOR2, "/v1/query", "{\"sql\":\"SELECT 1\"}"), 403,
                "forbidden");
        assertError(gw.query(GatewayFixture.AGENT, "SELECT '" + "x".repeat(5000) + "'"), 413, "payload_too_large");
        assertError(gw.get(GatewayFixture.AGENT, "/v1/snapshots"), 503, "snapshot_store_unavailable");
        assertError(gw.get(GatewayFixture.AGENT, "/metrics"), 403, "forbidden");
        Resp metrics = gw.get(GatewayFixture.OPERATOR, "/metrics");
        assertEquals(200, metrics.status());
        assertTrue(metrics.raw().contains("backstop_queries_total{decision=\"execute\",risk=\"SAFE\"}"), metrics.raw());
        assertTrue(metrics.raw().contains("backstop_errors_total{code=\"unauthorized\"} 2.0"), metrics.raw());
        assertTrue(metrics.raw().contains("jvm_memory_used_bytes"));
        Resp openapi = gw.get(null, "/openapi.yaml");
        assertEquals(200, openapi.status());
        assertTrue(openapi.raw().contains("/v1/approvals/{id}/approve:"), openapi.raw());
    }

    @Test
    void concurrencyLimitPerPrincipal() throws Exception {
        // agent-1 may run one request at a time: hold one open with a long-poll on an approval.
        java.util.Set<String> before = new java.util.HashSet<>();
        gw.get(GatewayFixture.OPERATOR, "/v1/approvals?status=pending").body().get("approvals")
                .forEach(a -> before.add(a.get("id").asText()));
        var held = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return gw.post(GatewayFixture.AGENT, "/v1/query", "{\"sql\":\"DELETE FROM items\",\"wait_seconds\":10}");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        String approvalId = null;
        for (int i = 0; i < 100 && approvalId == null; i++) {
            for (JsonNode a : gw.get(GatewayFixture.OPERATOR, "/v1/approvals?status=pending").body().get("approvals")) {
                if (!before.contains(a.get("id").asText())) {
                    approvalId = a.get("id").asText();
                }
            }
            Thread.sleep(50);
        }
        assertError(gw.query(GatewayFixture.AGENT, "SELECT 1"), 429, "too_many_requests");
        assertEquals(200, gw.query(GatewayFixture.AGENT2, "SELECT 1").status()); // other principals unaffected
        Resp deny = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + approvalId + "/deny", "{\"comment\":\"no\"}");
        assertEquals(200, deny.status(), deny.raw());
        Resp done = held.get();
        assertEquals(409, done.status(), done.raw());
        assertEquals("denied", done.body().get("status").asText());
    }

    private static void assertError(Resp r, int status, String code) {
        assertEquals(status, r.status(), r.raw());
        assertEquals(code, r.code(), r.raw());
        assertTrue(r.body().get("error").has("message"), r.raw());
        assertTrue(r.body().get("error").has("details"), r.raw());
    }

    private static String types(JsonNode columns) {
        List<String> t = new ArrayList<>();
        columns.forEach(c -> t.add("\"" + c.get("type").asText() + "\""));
        return "[" + String.join(",", t) + "]";
    }
}
