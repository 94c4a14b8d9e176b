package dev.backstop.gateway.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The sidecar's {@code POST /flush} (cdc-sidecar SidecarHttp): "make every change committed up to now
 * durable in S3 and tell me the recovery points". Any failure is returned as a readable problem,
 * never thrown, so the caller can name it in the gate's failed check.
 */
public final class SidecarFlushClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PROBLEM_CHARS = 300;

    /** One recovery point the sidecar returned. */
    public record FlushedManifest(String table, String manifestKey, String manifestSha256, String coveredLsn) {
    }

    /** Either the durable LSN and manifests, or a problem. */
    public record Outcome(String lsn, List<FlushedManifest> manifests, String problem) {
        public boolean ok() {
            return problem == null;
        }

        static Outcome failed(String problem) {
            return new Outcome(null, List.of(), problem);
        }
    }

    private final URI flushUri;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;

    /** @param sidecarUrl base URL, e.g. {@code http://sidecar:8091}; blank means "not configured" */
    public SidecarFlushClient(String sidecarUrl, String token, Duration timeout) {
        this.flushUri = sidecarUrl == null || sidecarUrl.isBlank() ? null
                : URI.create(sidecarUrl.replaceAll("/+$", "") + "/flush");
        this.token = token == null ? "" : token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(Math.min(timeout.toMillis(), 5_000)))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public Outcome flush(List<String> qualifiedTables) {
        if (flushUri == null) {
            return Outcome.failed("gateway.sidecarUrl is not configured: no recovery point can be flushed");
        }
        var body = JSON.createObjectNode();
        var arr = body.putArray("tables");
        qualifiedTables.forEach(arr::add);
        HttpRequest req = HttpRequest.newBuilder(flushUri).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build();
        HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.net.http.HttpTimeoutException e) {
            return Outcome.failed("the sidecar did not answer POST /flush within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return Outcome.failed("the sidecar cannot be reached (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed("interrupted while waiting for the sidecar's flush");
        }
        JsonNode n;
        try {
            n = JSON.readTree(resp.body());
        } catch (IOException e) {
            n = JSON.nullNode();
        }
        if (resp.statusCode() != 200) {
            String code = n.path("error").path("code").asText("");
            String message = n.path("error").path("message").asText("");
            return Outcome.failed(shorten("the sidecar refused the flush: HTTP " + resp.statusCode()
                    + (code.isEmpty() ? "" : " " + code) + (message.isEmpty() ? "" : " (" + message + ")")));
        }
        if (!n.path("lsn").isTextual() || !n.path("manifests").isArray()) {
            return Outcome.failed("the sidecar's flush response has no lsn or manifests");
        }
        List<FlushedManifest> out = new ArrayList<>();
        for (JsonNode m : n.get("manifests")) {
            if (!m.path("table").isTextual() || !m.path("manifest_key").isTextual() || !m.path("covered_lsn").isTextual()) {
                return Outcome.failed("the sidecar's flush response has an incomplete manifest entry");
            }
            out.add(new FlushedManifest(m.get("table").asText(), m.get("manifest_key").asText(),
                    m.path("manifest_sha256").isTextual() ? m.get("manifest_sha256").asText() : null,
                    m.get("covered_lsn").asText()));
        }
        return new Outcome(n.get("lsn").asText(), out, null);
    }

    private static String shorten(String s) {
        return s.length() > MAX_PROBLEM_CHARS ? s.substring(0, MAX_PROBLEM_CHARS) + "..." : s;
    }
}
