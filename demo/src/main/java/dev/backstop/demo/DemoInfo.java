package dev.backstop.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a user or a script needs to use the running demo: printed, and written to demo.json. */
record DemoInfo(
        String gatewayUrl,
        String sidecarUrl,
        List<String> metricsUrls,
        String agentToken,
        String operatorToken,
        String s3Endpoint,
        String s3Bucket,
        String postgresUrl,
        String agentDbUrl,
        Path configFile) {

    static DemoInfo of(DemoEnvironment env, DemoSystem system) {
        String gateway = "http://127.0.0.1:" + system.gatewayPort();
        String sidecar = "http://127.0.0.1:" + system.sidecarPort();
        return new DemoInfo(gateway, sidecar, List.of(gateway + "/metrics", sidecar + "/metrics"),
                env.secrets.agentToken(), env.secrets.operatorToken(),
                env.s3.endpoint().toString(), DemoEnvironment.BUCKET,
                env.adminJdbcUrl(), env.agentJdbcUrl(), env.configFile.toAbsolutePath());
    }

    void writeJson(Path file) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gateway_url", gatewayUrl);
        m.put("sidecar_url", sidecarUrl);
        m.put("metrics_urls", metricsUrls);
        m.put("agent_token", agentToken);
        m.put("operator_token", operatorToken);
        m.put("s3_endpoint", s3Endpoint);
        m.put("s3_bucket", s3Bucket);
        m.put("postgres_url", postgresUrl);
        m.put("agent_db_url", agentDbUrl);
        m.put("config_file", configFile.toString());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), m);
    }

    void print(PrintStream out) {
        out.println();
        out.println("Backstop demo is running.");
        out.println("  gateway        " + gatewayUrl + "   (API: docs/api.md)");
        out.println("  sidecar        " + sidecarUrl);
        out.println("  metrics        " + String.join("  ", metricsUrls));
        out.println("  S3             " + s3Endpoint + "  bucket " + s3Bucket);
        out.println("  PostgreSQL     " + postgresUrl);
        out.println("  agent DB role  " + agentDbUrl + "   (connect directly to see bypass detection)");
        out.println("  agent token    " + agentToken);
        out.println("  operator token " + operatorToken);
        out.println();
        out.println("Try (copy-paste):");
        for (String c : curlCommands()) {
            out.println("  " + c);
        }
        out.println();
        out.println("  ./backstop restore list        ./backstop classify \"DELETE FROM orders\"");
        out.println("Press Ctrl-C to stop.");
    }

    /** The five commands the demo prints; a test runs each of them. */
    List<String> curlCommands() {
        String agent = "-H 'Authorization: Bearer " + agentToken + "'";
        String op = "-H 'Authorization: Bearer " + operatorToken + "'";
        String json = "-H 'Content-Type: application/json'";
        return List.of(
                "curl -sS " + agent + " " + json + " -d '{\"sql\":\"SELECT status, count(*) FROM orders GROUP BY status ORDER BY status\"}' " + gatewayUrl + "/v1/query",
                "curl -sS " + agent + " " + json + " -d '{\"sql\":\"DELETE FROM orders\"}' " + gatewayUrl + "/v1/query",
                "curl -sS " + op + " '" + gatewayUrl + "/v1/approvals?status=pending'",
                "curl -sS " + op + " " + gatewayUrl + "/v1/posture",
                "curl -sS " + op + " " + gatewayUrl + "/v1/snapshots");
    }
}
