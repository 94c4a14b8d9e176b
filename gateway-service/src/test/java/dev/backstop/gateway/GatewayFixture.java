package dev.backstop.gateway;

import dev.backstop.testsupport.MutableClock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.gateway.auth.TokenAuthenticator;
import dev.backstop.testsupport.PgDatabase;
import io.dropwizard.core.Application;
import io.dropwizard.testing.DropwizardTestSupport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One gateway process for an IT class: a role of its own in the class's database, a policy file,
 * a generated config.yml, a Dropwizard app on random ports with an injected clock, and an HTTP client.
 */
final class GatewayFixture implements AutoCloseable {
    static final String AGENT = "agent-token-1";
    static final String AGENT2 = "agent-token-2";
    static final String OPERATOR = "operator-token-1";
    static final String OPERATOR2 = "operator-token-2";
    static final ObjectMapper JSON = new ObjectMapper();

    record Resp(int status, JsonNode body, String raw) {
        String code() {
            return body.path("error").path("code").asText(null);
        }
    }

    final PgDatabase admin;
    final PgDatabase gatewayDb;
    final String role;
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Path dir;
    private Path configFile;
    private DropwizardTestSupport<GatewayConfiguration> app;
    private final HttpClient http = HttpClient.newHttpClient();
    int poolSize = 4;
    /** The gateway's database URL; default: the test database's own (a proxy in front of it may replace it). */
    String databaseUrl;
    /** The snapshots: section's body (indented by the fixture); default: no snapshot store. */
    String snapshotsYaml = "endpoint: http://localhost:1";

    GatewayFixture(PgDatabase db, String role) throws IOException, SQLException {
        this.admin = db;
        this.role = role;
        this.gatewayDb = db.createRole(role, "pw-" + role, "LOGIN");
        db.execute("GRANT CREATE ON DATABASE \"" + db.name() + "\" TO " + role, "GRANT ALL ON SCHEMA public TO " + role);
        this.dir = Files.createTempDirectory("gw-it");
    }

    /** Writes config + policy and starts the gateway. */
    GatewayFixture start(String policyJson, String gatewayYaml) throws Exception {
        Files.writeString(dir.resolve("policy.json"), policyJson);
        String yaml = """
                database:
                  url: %s
                  user: %s
                  password: %s
                  stateSchema: backstop
                  maxPoolSize: %d
                policyFile: %s
                principals:
                  - name: agent-1
                    role: agent
                    scopes: [ "query:execute", "query:analyze", "metadata:read" ]
                    tokenSha256: %s
                  - name: agent-2
                    role: agent
                    scopes: [ "query:*", "approval:*" ]
                    tokenSha256: %s
                  - name: op-1
                    role: operator
                    scopes: [ "query:execute", "approval:*", "admin:*", "metadata:read", "metrics:read" ]
                    tokenSha256: %s
                  - name: op-2
                    role: operator
                    scopes: [ "approval:*", "admin:*", "metadata:read" ]
                    tokenSha256: %s
                gateway:
                %s
                snapshots:
                %s
                sidecar:
                  id: ignored-by-the-gateway
                server:
                  applicationConnectors:
                    - type: http
                      port: 0
                  adminConnectors:
                    - type: http
                      port: 0
                logging:
                  level: WARN
                """.formatted(databaseUrl != null ? databaseUrl : admin.jdbcUrl(), role, "pw-" + role, poolSize, dir.resolve("policy.json"),
                TokenAuthenticator.sha256Hex(AGENT), TokenAuthenticator.sha256Hex(AGENT2),
                TokenAuthenticator.sha256Hex(OPERATOR), TokenAuthenticator.sha256Hex(OPERATOR2),
                gatewayYaml == null ? "  maxResultRows: 10000" : gatewayYaml.indent(2).stripTrailing(),
                snapshotsYaml.indent(2).stripTrailing());
        configFile = dir.resolve("config.yml");
        Files.writeString(configFile, yaml);
        startApp();
        return this;
    }

    void startApp() throws Exception {
        app = new DropwizardTestSupport<>(GatewayApplication.class, configFile.toString()) {
            @Override
            public Application<GatewayConfiguration> newApplication() {
                return new GatewayApplication(clock);
            }
        };
        try {
            app.before();
        } catch (RuntimeException | Error e) {
            e.printStackTrace();
            throw e;
        }
    }

    void restart() throws Exception {
        app.after();
        startApp();
    }

    void writePolicy(String policyJson) throws IOException {
        Files.writeString(dir.resolve("policy.json"), policyJson);
    }

    URI uri(String path) {
        return URI.create("http://localhost:" + app.getLocalPort() + path);
    }

    Resp post(String token, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    Resp get(String token, String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    Resp send(HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        JsonNode body;
        try {
            body = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            body = JSON.nullNode();
        }
        return new Resp(r.statusCode(), body, r.body());
    }

    /** POST /v1/query {"sql": sql} */
    Resp query(String token, String sql) throws IOException, InterruptedException {
        return post(token, "/v1/query", JSON.createObjectNode().put("sql", sql).toString());
    }

    /** Runs SQL as the gateway's role directly (test set-up and checks). */
    void sql(String... statements) throws SQLException {
        gatewayDb.execute(statements);
    }

    Object value(String sql) throws SQLException {
        return gatewayDb.queryValue(sql);
    }

    long count(String sql) throws SQLException {
        return ((Number) gatewayDb.queryValue(sql)).longValue();
    }

    /** Audit rows (as the superuser: the test reads the state schema directly). */
    List<JsonNode> auditRecords() throws SQLException, IOException {
        List<JsonNode> out = new ArrayList<>();
        try (Connection c = admin.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT record, completion FROM backstop.audit ORDER BY seq")) {
            while (rs.next()) {
                var n = JSON.createObjectNode();
                n.set("record", JSON.readTree(rs.getString(1)));
                n.set("completion", rs.getString(2) == null ? JSON.nullNode() : JSON.readTree(rs.getString(2)));
                out.add(n);
            }
        }
        return out;
    }

    /** Completions are written after the response: wait until every audit row is complete. */
    void awaitAuditComplete() throws Exception {
        for (int i = 0; i < 100; i++) {
            try (Connection c = admin.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM backstop.audit WHERE completion IS NULL")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("audit completions not written");
    }

    long auditCount() throws SQLException {
        try (Connection c = admin.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM backstop.audit")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() {
        if (app != null) {
            app.after();
        }
    }
}
