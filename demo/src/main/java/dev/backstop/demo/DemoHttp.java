package dev.backstop.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A tiny JSON client for the gateway API, as an agent or operator would call it. */
final class DemoHttp {
    record Response(int status, JsonNode body) {
        String text(String field) {
            return body.path(field).asText("");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    DemoHttp(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    Response post(String path, String token, Map<String, Object> body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        return send(req);
    }

    Response get(String path, String token) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build();
        return send(req);
    }

    private Response send(HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), parse(r.body()));
    }

    /** The body as JSON; a body that is not JSON (a proxy's HTML page, say) is kept as {"raw": text}. */
    private static JsonNode parse(String body) {
        if (body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("raw", body.length() > 500 ? body.substring(0, 500) : body);
        }
    }
}
