package dev.backstop.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The whole demo on free ports: what `./backstop demo` and its scenario promise, checked in CI. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoIT {
    /** design.md "Metrics": each must be exposed by the gateway's or the sidecar's /metrics. */
    private static final List<String> DESIGN_METRICS = List.of(
            "backstop_queries", "backstop_query_duration_seconds", "backstop_classify_duration_seconds",
            "backstop_approvals_pending", "backstop_recovery_gate_failures", "backstop_snapshot_age_seconds",
            "backstop_sidecar_heartbeat_age_seconds", "backstop_cdc_lag_bytes", "backstop_bypass_connections",
            "backstop_posture_degraded", "backstop_audit_failures");

    @TempDir
    static Path dir;
    static DemoRun demo;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        demo = DemoRun.start(dir, true, DemoPorts.free(), System.out);
    }

    @AfterAll
    static void stop() {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    @Order(1)
    void demoJsonHasEveryDocumentedField() throws Exception {
        JsonNode j = JSON.readTree(Files.readString(dir.resolve("demo.json")));
        for (String f : List.of("gateway_url", "sidecar_url", "metrics_urls", "agent_token", "operator_token",
                "s3_endpoint", "s3_bucket", "postgres_url", "agent_db_url")) {
            assertTrue(j.hasNonNull(f), "demo.json lacks " + f);
        }
        assertEquals(demo.info.gatewayUrl(), j.get("gateway_url").asText());
        assertEquals(2, j.get("metrics_urls").size());
    }

    @Test
    @Order(2)
    void incidentScenarioPasses() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        boolean passed = demo.runIncidentScenario(out);
        String transcript = buf.toString(StandardCharsets.UTF_8);
        System.out.println(transcript);
        assertTrue(passed, "the incident scenario failed:\n" + transcript);
    }

    @Test
    @Order(3)
    void everyPrintedCurlCommandWorksAsPrinted() throws Exception {
        List<String> commands = demo.info.curlCommands();
        assertEquals(5, commands.size());
        Map<Integer, JsonNode> results = new HashMap<>();
        for (int i = 0; i < commands.size(); i++) {
            Process p = new ProcessBuilder("bash", "-c", commands.get(i)).redirectErrorStream(true).start();
            String body = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "command failed: " + commands.get(i) + "\n" + body);
            results.put(i, JSON.readTree(body));
        }
        assertEquals("executed", results.get(0).path("status").asText(), results.get(0).toString());
        assertEquals("approval_required", results.get(1).path("status").asText(), results.get(1).toString());
        assertTrue(results.get(2).path("approvals").isArray(), results.get(2).toString());
        assertTrue(results.get(2).path("approvals").size() >= 1, results.get(2).toString());
        assertTrue(List.of("protected", "degraded").contains(results.get(3).path("state").asText()), results.get(3).toString());
        assertTrue(results.get(4).toString().contains("public.orders"), results.get(4).toString());
    }

    @Test
    @Order(0)
    void bypassDetectionNeverFailedAPollAtStartUp() throws Exception {
        // The gateway starts first and creates the state schema the sidecar's bypass detector reads: its first poll
        // finds the tables, so no failed poll and no posture_degraded alert on a fresh start.
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(demo.info.sidecarUrl() + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        List<String> lines = r.body().lines().toList();
        assertTrue(lines.contains("backstop_bypass_poll_errors_total 0.0"), r.body());
        assertTrue(lines.contains("backstop_posture_degraded 0.0"), r.body());
    }

    @Test
    @Order(4)
    void bothMetricsEndpointsExposeEveryDesignMetric() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        Map<String, String> families = new HashMap<>();
        for (String url : demo.info.metricsUrls()) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + demo.info.operatorToken()).GET().build();
            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), url + ": " + r.body());
            Map<String, String> f = PrometheusText.families(r.body());
            families.putAll(f);
        }
        // Prometheus' JvmMetrics registers once per JVM: the demo runs both processes in one JVM, so
        // only the first registry has them (each process of a real deployment has its own).
        assertTrue(families.keySet().stream().anyMatch(n -> n.startsWith("jvm_")), "no JVM metrics");
        for (String m : DESIGN_METRICS) {
            // counters appear as name_total in the text format
            assertTrue(families.containsKey(m) || families.containsKey(m + "_total"),
                    m + " missing; found " + families.keySet());
        }
    }
}
