package dev.backstop.bypass;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A webhook endpoint on 127.0.0.1 that accepts every POST and keeps the parsed JSON bodies in order. */
final class WebhookReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final BlockingQueue<JsonNode> bodies = new LinkedBlockingQueue<>();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/alerts", exchange -> {
            bodies.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/alerts");
    }

    /** The next alert received; fails the test if none arrives within 30 s (a bound, not a timing). */
    JsonNode next() throws InterruptedException {
        JsonNode n = bodies.poll(30, TimeUnit.SECONDS);
        if (n == null) {
            throw new AssertionError("no alert reached the webhook");
        }
        return n;
    }

    /** Alerts received so far and not yet taken. */
    int pending() {
        return bodies.size();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
