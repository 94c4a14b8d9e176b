package dev.backstop.gateway.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.dropwizard.lifecycle.Managed;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each alert as JSON to a webhook, asynchronously, retrying with exponential backoff
 * (1 s, 2 s, 4 s, 8 s). At most 1,000 alerts are in flight; beyond that new ones are dropped and logged.
 */
public final class WebhookAlertSink implements AlertSink, Managed {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookAlertSink.class);
    private static final int MAX_ATTEMPTS = 5;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

    private final URI uri;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "alert-webhook");
        t.setDaemon(true);
        return t;
    });
    private final Semaphore inFlight = new Semaphore(1000);

    public WebhookAlertSink(URI uri) {
        this.uri = uri;
    }

    @Override
    public void send(Alert alert) {
        if (!inFlight.tryAcquire()) {
            LOG.warn("alert dropped (too many in flight): {}", alert.event());
            return;
        }
        try {
            byte[] body = JSON.writeValueAsBytes(alert);
            attempt(body, alert.event(), 1);
        } catch (Exception e) {
            inFlight.release();
            LOG.warn("alert {} not sent: {}", alert.event(), e.getMessage());
        }
    }

    private void attempt(byte[] body, String event, int n) {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((resp, err) -> {
            boolean ok = err == null && resp.statusCode() / 100 == 2;
            if (ok) {
                inFlight.release();
            } else if (n >= MAX_ATTEMPTS) {
                inFlight.release();
                LOG.warn("alert {} failed after {} attempts: {}", event, n,
                        err != null ? err.getMessage() : "HTTP " + resp.statusCode());
            } else {
                scheduler.schedule(() -> attempt(body, event, n + 1), 1L << (n - 1), TimeUnit.SECONDS);
            }
        });
    }

    @Override
    public void stop() {
        scheduler.shutdownNow();
    }
}
