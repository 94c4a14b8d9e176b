package dev.backstop.sidecar.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.backstop.sidecar.Sidecar;
import dev.backstop.snapshot.Sha256;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.json.CanonicalJsonWriter;
import dev.backstop.snapshot.json.JsonParser;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.time.Duration;

/** {@code POST /flush} (Bearer token), {@code GET /metrics}, {@code GET /health}. */
public final class SidecarHttp {
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);
    private final HttpServer server;

    private SidecarHttp(HttpServer server) {
        this.server = server;
    }

    public static SidecarHttp start(Sidecar sidecar, String bindHost, int port, String token) throws IOException {
        InetSocketAddress address = new InetSocketAddress(bindHost, port);
        if (address.isUnresolved()) {
            throw new IOException("sidecar.httpBindHost " + bindHost + " does not resolve to an address of this host");
        }
        HttpServer s = HttpServer.create(address, 16);
        String tokenHash = Sha256.hex(token.getBytes(StandardCharsets.UTF_8));
        s.createContext("/flush", ex -> {
            try (ex) {
                if (!"POST".equals(ex.getRequestMethod())) {
                    error(ex, 405, "method_not_allowed", "use POST");
                    return;
                }
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                String presented = auth != null && auth.startsWith("Bearer ") ? auth.substring(7)
                        : String.valueOf(ex.getRequestHeaders().getFirst("X-Backstop-Token"));
                if (!Sha256.constantTimeEquals(Sha256.hex(presented.getBytes(StandardCharsets.UTF_8)), tokenHash)) {
                    error(ex, 401, "unauthorized", "a valid Bearer token is required");
                    return;
                }
                List<TableRef> tables = new ArrayList<>();
                byte[] body = ex.getRequestBody().readNBytes(64 * 1024);
                if (body.length > 0) {
                    try {
                        Object parsed = JsonParser.parse(new String(body, StandardCharsets.UTF_8));
                        if (parsed instanceof Map<?, ?> m && m.get("tables") instanceof List<?> l) {
                            for (Object o : l) {
                                tables.add(TableRef.parse(sidecar.database(), String.valueOf(o)));
                            }
                        } else if (!(parsed instanceof Map<?, ?> m && m.get("tables") == null)) {
                            throw new IllegalArgumentException("tables must be a list");
                        }
                    } catch (RuntimeException e) {
                        error(ex, 400, "bad_request", "expected {\"tables\": [\"schema.table\", ...]}"
                                + " (a name containing '.' in double quotes: \"\\\"ops.v2\\\".orders\")");
                        return;
                    }
                }
                Optional<Sidecar.FlushResult> result = sidecar.flush(tables, FLUSH_TIMEOUT);
                if (result.isEmpty()) {
                    error(ex, 503, "flush_timeout", "changes could not be made durable in time; S3 or CDC is unhealthy");
                    return;
                }
                Sidecar.FlushResult r = result.get();
                if (!r.refused().isEmpty()) {
                    StringBuilder why = new StringBuilder("no current recovery point can be vouched for:");
                    r.refused().forEach((t, reason) -> why.append(' ').append(t.wireName()).append(" (")
                            .append(reason).append(')'));
                    error(ex, 409, "table_not_recoverable", why.toString());
                    return;
                }
                if (!r.untracked().isEmpty()) {
                    error(ex, 422, "table_not_tracked", "the sidecar has no recovery point for "
                            + r.untracked().stream().map(TableRef::wireName).toList());
                    return;
                }
                CanonicalJsonWriter w = new CanonicalJsonWriter().beginObject().name("lsn").value(r.lsn().toString())
                        .name("manifests").beginArray();
                for (Map.Entry<TableRef, VerifiedManifest> e : r.manifests().entrySet()) {
                    w.beginObject().name("table").value(e.getKey().wireName()).name("manifest_key")
                            .value(e.getValue().key()).name("manifest_sha256")
                            .value(e.getValue().manifest().manifestSha256()).name("covered_lsn")
                            .value(e.getValue().manifest().coveredLsn().toString()).endObject();
                }
                send(ex, 200, w.endArray().endObject().toBytes(), "application/json");
            } catch (Exception e) {
                error(ex, 500, "flush_failed", e.getClass().getSimpleName());
            }
        });
        s.createContext("/metrics", ex -> {
            try (ex) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                new PrometheusTextFormatWriter(false).write(out, sidecar.metrics().registry.scrape());
                send(ex, 200, out.toByteArray(), PrometheusTextFormatWriter.CONTENT_TYPE);
            }
        });
        s.createContext("/health", ex -> {
            try (ex) {
                if (sidecar.isCapturing()) {
                    send(ex, 200, "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8), "application/json");
                } else {
                    error(ex, 503, "cdc_stopped", "the CDC engine is not running; recovery points do not advance");
                }
            }
        });
        s.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "backstop-sidecar-http");
            t.setDaemon(true);
            return t;
        }));
        s.start();
        return new SidecarHttp(s);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void stop() {
        server.stop(0);
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        send(ex, status, new CanonicalJsonWriter().beginObject().name("error").beginObject().name("code").value(code)
                .name("message").value(message).endObject().endObject().toBytes(), "application/json");
    }

    private static void send(HttpExchange ex, int status, byte[] body, String type) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
        }
    }
}
