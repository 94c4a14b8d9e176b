package dev.backstop.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.TableRef;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks the sidecar to make every change committed so far durable ({@code POST /flush}, the call the gateway makes
 * before a CRITICAL operation; cdc-sidecar's SidecarHttp) when a restore target is not captured yet, so a restore run
 * seconds after the statement does not have to wait for the sidecar's next heartbeat. Bounded: the sidecar gives up
 * after 30 s itself, this waits at most {@link #TIMEOUT}, printing a progress line while it waits. Whatever fails, the
 * caller's error then says how to flush by hand (the exact curl).
 */
final class SidecarFlush {
    static final Duration TIMEOUT = Duration.ofSeconds(35);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final long PROGRESS_EVERY_MS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a flush made durable. */
    record Flushed(Lsn lsn, double seconds) {
    }

    private final String url;
    private final String token;
    private final String tokenRef;
    private final String config;

    private SidecarFlush(String url, String token, String tokenRef, String config) {
        this.url = url;
        this.token = token;
        this.tokenRef = tokenRef;
        this.config = config;
    }

    static SidecarFlush of(RestoreConfig c) {
        return new SidecarFlush(c.sidecarUrl(), c.sidecarToken(), c.sidecarTokenRef(), String.valueOf(c.source()));
    }

    /** Whether the configuration says where the sidecar is and how to authenticate. */
    boolean configured() {
        return url != null && token != null;
    }

    /** The flush URL, or a placeholder when the configuration does not say. */
    String flushUrl() {
        return (url != null ? url : "http://<sidecar host>:<sidecar.httpPort>") + "/flush";
    }

    /** The curl that flushes by hand (the token by reference, never its value). */
    String curl(TableRef table) {
        String auth = tokenRef.startsWith("$") ? "\"Authorization: Bearer " + tokenRef + "\""
                : RestoreRun.shellQuote("Authorization: Bearer " + tokenRef);
        return "curl -sS -X POST " + RestoreRun.shellQuote(flushUrl()) + " -H " + auth + " -H 'Content-Type: application/json' -d "
                + RestoreRun.shellQuote(body(table));
    }

    /**
     * Asks the sidecar to flush {@code table}; returns what became durable, or throws {@link CheckFailedException}
     * with {@code why} (the reason a flush is needed), what went wrong and the curl to run by hand.
     */
    Flushed flush(TableRef table, String why, PrintWriter progress) {
        if (!configured()) {
            throw new CheckFailedException(why + "\nThe configuration (" + config + ") does not say where the "
                    + "sidecar's HTTP endpoint is or its token (gateway.sidecarUrl or sidecar.httpPort, and "
                    + "sidecar.httpToken), so this tool cannot ask it to flush. " + byHand(table));
        }
        progress.println("Not captured yet: asking the sidecar to flush (POST " + flushUrl() + ", waiting up to "
                + TIMEOUT.toSeconds() + " s)...");
        progress.flush();
        long t0 = System.nanoTime();
        String problem;
        try {
            return await(send(table), t0, progress);
        } catch (Failed f) {
            problem = f.getMessage();
        }
        throw new CheckFailedException(why + "\nThis tool asked the sidecar to flush (POST " + flushUrl() + ") and "
                + problem + ". " + byHand(table));
    }

    private String byHand(TableRef table) {
        return "Flush it by hand, then run this command again:\n  " + curl(table);
    }

    private CompletableFuture<HttpResponse<String>> send(TableRef table) throws Failed {
        HttpRequest req;
        try {
            req = HttpRequest.newBuilder(URI.create(flushUrl())).timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(body(table), StandardCharsets.UTF_8)).build();
        } catch (IllegalArgumentException e) {
            throw new Failed("its URL is not valid (" + e.getMessage() + ")");
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private Flushed await(CompletableFuture<HttpResponse<String>> pending, long t0, PrintWriter progress)
            throws Failed {
        HttpResponse<String> resp;
        while (true) {
            try {
                resp = pending.get(PROGRESS_EVERY_MS, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException e) {
                double waited = (System.nanoTime() - t0) / 1e9;
                if (waited > TIMEOUT.toSeconds() + 5) {
                    pending.cancel(true);
                    throw new Failed("it did not answer within " + TIMEOUT.toSeconds() + " s");
                }
                progress.println(String.format(Locale.ROOT, "  still waiting for the sidecar's flush (%.0f s of %d s)",
                        waited, TIMEOUT.toSeconds()));
                progress.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                pending.cancel(true);
                throw new Failed("the wait was interrupted");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof java.net.http.HttpTimeoutException) {
                    throw new Failed("it did not answer within " + TIMEOUT.toSeconds() + " s");
                }
                throw new Failed("it cannot be reached (" + (cause instanceof IOException
                        ? cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage())
                        : String.valueOf(cause)) + ")");
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        JsonNode n;
        try {
            n = JSON.readTree(resp.body());
        } catch (IOException e) {
            n = JSON.nullNode();
        }
        String code = n.path("error").path("code").asText("");
        // 422 table_not_tracked comes after the flush: every change up to it is durable; the table has no point now.
        if (resp.statusCode() != 200 && !(resp.statusCode() == 422 && code.equals("table_not_tracked"))) {
            String message = n.path("error").path("message").asText("");
            throw new Failed("it refused: HTTP " + resp.statusCode() + (code.isEmpty() ? "" : " " + code)
                    + (message.isEmpty() ? "" : " (" + message + ")"));
        }
        Lsn lsn = null;
        if (n.path("lsn").isTextual()) {
            try {
                lsn = Lsn.parse(n.get("lsn").asText());
            } catch (IllegalArgumentException e) {
                throw new Failed("its answer has an invalid lsn");
            }
        }
        progress.println(String.format(Locale.ROOT, "Sidecar flushed%s in %.1f s; choosing the recovery point again.",
                lsn == null ? "" : ": durable up to " + lsn, seconds));
        progress.flush();
        return new Flushed(lsn, seconds);
    }

    private static String body(TableRef table) {
        var o = JSON.createObjectNode();
        o.putArray("tables").add(table.wireName());
        return o.toString();
    }

    /** A flush that did not happen, with why (for the message). */
    private static final class Failed extends Exception {
        Failed(String message) {
            super(message, null, false, false);
        }
    }
}
