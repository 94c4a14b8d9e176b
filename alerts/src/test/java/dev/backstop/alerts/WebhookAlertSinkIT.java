package dev.backstop.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The webhook sink against a real HTTP receiver (JDK HttpServer on 127.0.0.1). */
class WebhookAlertSinkIT {
    static final Instant T = Instant.parse("2026-11-26T10:15:30Z");

    /** What the receiver saw: method, path, headers of interest and body of each request. */
    record Received(String method, String path, String contentType, String alertId, String auth, String body) {
    }

    HttpServer server;
    final List<Received> received = new CopyOnWriteArrayList<>();

    URI startReceiver(ToIntFunction<Integer> statusForAttempt) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger n = new AtomicInteger();
        server.createContext("/hook", exchange -> {
            received.add(read(exchange));
            respond(exchange, statusForAttempt.applyAsInt(n.incrementAndGet()));
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook/secret-token");
    }

    @AfterEach
    void stopReceiver() {
        if (server != null) {
            server.stop(0);
        }
    }

    static Received read(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        return new Received(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                ex.getRequestHeaders().getFirst("Content-Type"), ex.getRequestHeaders().getFirst("X-Backstop-Alert-Id"),
                ex.getRequestHeaders().getFirst("Authorization"), body);
    }

    static void respond(HttpExchange ex, int status) throws IOException {
        ex.sendResponseHeaders(status, -1);
        ex.close();
    }

    static WebhookSettings fast(URI url) {
        return WebhookSettings.defaults(url)
                .withRetries(5, Duration.ofMillis(5), Duration.ofMillis(20))
                .withDrainTimeout(Duration.ofSeconds(20));
    }

    static Alert alert(int n) {
        return Alert.builder(AlertEvent.APPROVAL_REQUESTED, T)
                .id(new UUID(0, n))
                .source("gateway")
                .principal("agent-1")
                .table("public.orders")
                .sqlSha256("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
                .summary("approval requested")
                .detail("approval_id", "a-" + n)
                .build();
    }

    @Test
    void retriesUntilTheReceiverAcceptsAndPostsTheExactJson() throws Exception {
        URI url = startReceiver(attempt -> attempt <= 2 ? 503 : 200);
        WebhookAlertSink sink = WebhookAlertSink.start(fast(url).withHeaders(Map.of("Authorization", "Bearer t0k")));

        sink.send(alert(1));
        sink.close(); // drains: returns once the alert is delivered or given up

        String expected = "{\"format_version\":1,\"id\":\"00000000-0000-0000-0000-000000000001\","
                + "\"event\":\"approval_requested\",\"severity\":\"info\",\"time\":\"2026-11-26T10:15:30Z\","
                + "\"source\":\"gateway\",\"principal\":\"agent-1\",\"table\":\"public.orders\","
                + "\"sql_sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\","
                + "\"summary\":\"approval requested\",\"recommended_action\":"
                + "\"Review the request with GET /v1/approvals/{id}, then approve or deny it.\","
                + "\"details\":{\"approval_id\":\"a-1\"}}";
        Received same = new Received("POST", "/hook/secret-token", "application/json",
                "00000000-0000-0000-0000-000000000001", "Bearer t0k", expected);
        assertEquals(List.of(same, same, same), received);
        assertEquals(new WebhookAlertSink.Stats(1, 1, 0, 0, 3), sink.stats());
    }

    @Test
    void permanentErrorsAreNotRetried() throws Exception {
        URI url = startReceiver(attempt -> 400);
        WebhookAlertSink sink = WebhookAlertSink.start(fast(url));
        sink.send(alert(1));
        sink.close();
        assertEquals(1, received.size());
        assertEquals(new WebhookAlertSink.Stats(1, 0, 1, 0, 1), sink.stats());
    }

    @Test
    void aHungReceiverNeverBlocksSendAndTheOldestIsDroppedWhenFull() throws Exception {
        CountDownLatch firstArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            received.add(read(exchange));
            firstArrived.countDown();
            try {
                release.await(); // the receiver hangs until the test lets it go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(exchange, 200);
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        WebhookAlertSink sink = WebhookAlertSink.start(fast(url).withQueueCapacity(3)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(60)));

        sink.send(alert(1));
        assertTrue(firstArrived.await(30, TimeUnit.SECONDS), "receiver got the first alert");
        // The sender thread is now stuck in the hung request: every send below must return at once.
        for (int i = 2; i <= 7; i++) {
            sink.send(alert(i));
        }
        // Queue of 3: alerts 2, 3 and 4 were dropped (oldest first); 5, 6, 7 wait. We got here while the
        // receiver is still blocked: send never waited for it.
        assertEquals(1, release.getCount(), "the receiver is still blocked");
        assertEquals(new WebhookAlertSink.Stats(7, 0, 0, 3, 1), sink.stats());
        assertEquals(3, sink.queued());

        release.countDown();
        sink.close();
        assertEquals(List.of("a-1", "a-5", "a-6", "a-7"),
                received.stream().map(r -> r.body().replaceAll(".*\"approval_id\":\"(a-\\d+)\".*", "$1")).toList());
        assertEquals(new WebhookAlertSink.Stats(7, 4, 0, 3, 4), sink.stats());
    }

    @Test
    void aDeadWebhookNeverDelaysSendAndGivesUpAfterMaxAttempts() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: connecting to it is refused
        }
        WebhookAlertSink sink = WebhookAlertSink.start(
                fast(URI.create("http://127.0.0.1:" + port + "/hook")).withRetries(3, Duration.ofMillis(5),
                        Duration.ofMillis(10)));
        sink.send(alert(1));
        sink.send(alert(2));
        sink.close();
        assertEquals(new WebhookAlertSink.Stats(2, 0, 2, 0, 6), sink.stats());
    }

    @Test
    void sendAfterCloseIsDroppedNotThrown() throws Exception {
        URI url = startReceiver(attempt -> 200);
        WebhookAlertSink sink = WebhookAlertSink.start(fast(url));
        sink.close();
        sink.send(alert(1));
        sink.send(null);
        assertEquals(new WebhookAlertSink.Stats(1, 0, 0, 1, 0), sink.stats());
        assertEquals(List.of(), received);
    }
}
