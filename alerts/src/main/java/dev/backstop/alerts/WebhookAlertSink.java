package dev.backstop.alerts;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs alerts as JSON ({@link AlertJson}) to one webhook from a single background thread.
 *
 * <p>{@link #send} only puts the alert in a bounded queue: it never blocks, never does I/O and never
 * throws, so a dead or slow webhook cannot delay or change a query's outcome. When the queue is full the
 * oldest queued alert is dropped (newer alerts describe the current state better) and counted. Each alert
 * is tried up to {@code maxAttempts} times with exponential backoff on connection errors, timeouts, 408,
 * 425, 429 and 5xx; other statuses (e.g. 400, 401, 404) are permanent and not retried. One alert is
 * delivered at a time, in order, so a receiver sees alerts in the order they were raised.
 *
 * <p>Start it with {@link #start}; {@link #close} keeps delivering what is queued for at most
 * {@code drainTimeout}, then gives up on the rest (counted as dropped).
 */
public final class WebhookAlertSink implements AlertSink {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookAlertSink.class);

    /** Counters since start. {@code accepted = delivered + failed + dropped + still queued or in flight}. */
    public record Stats(long accepted, long delivered, long failed, long dropped, long attempts) {
    }

    private final WebhookSettings settings;
    private final HttpClient http;
    private final LinkedBlockingDeque<Alert> queue;
    private final Thread sender;
    private volatile boolean closing;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong attempts = new AtomicLong();

    private WebhookAlertSink(WebhookSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.queue = new LinkedBlockingDeque<>(settings.queueCapacity());
        this.sender = new Thread(this::run, "backstop-alert-webhook");
        this.sender.setDaemon(true);
    }

    /** Creates the sink and starts its sender thread. */
    public static WebhookAlertSink start(WebhookSettings settings) {
        WebhookAlertSink sink = new WebhookAlertSink(settings);
        sink.sender.start();
        return sink;
    }

    @Override
    public void send(Alert alert) {
        try {
            if (alert == null) {
                return;
            }
            accepted.incrementAndGet();
            if (closing) {
                dropped.incrementAndGet();
                LOG.warn("alert {} dropped: the webhook sink is closed", alert.event().wireName());
                return;
            }
            while (!queue.offerLast(alert)) {
                Alert oldest = queue.pollFirst();
                if (oldest != null) {
                    dropped.incrementAndGet();
                    LOG.warn("alert queue full ({}): dropped the oldest alert, {} {}", settings.queueCapacity(),
                            oldest.event().wireName(), oldest.id());
                }
            }
        } catch (RuntimeException e) {
            // The contract says never throw; this would be a bug, so make it visible without failing the caller.
            LOG.error("alert could not be queued: {}", e.toString());
        }
    }

    public Stats stats() {
        return new Stats(accepted.get(), delivered.get(), failed.get(), dropped.get(), attempts.get());
    }

    /** Alerts waiting (not counting the one being delivered). */
    public int queued() {
        return queue.size();
    }

    @Override
    public void close() {
        closing = true;
        try {
            sender.join(settings.drainTimeout().toMillis());
            if (sender.isAlive()) {
                sender.interrupt();
                sender.join(TimeUnit.SECONDS.toMillis(2));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sender.interrupt();
        }
        int left = 0;
        while (queue.pollFirst() != null) {
            left++;
        }
        if (left > 0) {
            dropped.addAndGet(left);
            LOG.warn("alert webhook closed with {} undelivered alert(s) dropped", left);
        }
    }

    private void run() {
        try {
            while (true) {
                Alert next = queue.pollFirst(100, TimeUnit.MILLISECONDS);
                if (next == null) {
                    if (closing) {
                        return;
                    }
                    continue;
                }
                try {
                    deliver(next);
                } catch (InterruptedException e) {
                    failed.incrementAndGet();
                    LOG.warn("alert {} {} not delivered: the sink closed while retrying", next.event().wireName(),
                            next.id());
                    return;
                }
            }
        } catch (InterruptedException e) {
            // close() ran out of drain time; the queue's rest is counted there.
        } catch (RuntimeException e) {
            LOG.error("alert sender stopped: {}", e.toString());
        }
    }

    /** One alert, with retries. Throws InterruptedException only when close() gave up waiting. */
    private void deliver(Alert alert) throws InterruptedException {
        byte[] body;
        try {
            body = AlertJson.toBytes(alert);
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            LOG.error("alert {} could not be serialised: {}", alert.event().wireName(), e.toString());
            return;
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(settings.url())
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "backstop-alerts")
                .header("X-Backstop-Alert-Id", alert.id().toString());
        settings.headers().forEach(rb::header);
        HttpRequest request = rb.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();

        String lastProblem = "";
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            if (attempt > 1) {
                Thread.sleep(settings.backoffBefore(attempt).toMillis());
            }
            attempts.incrementAndGet();
            try {
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    delivered.incrementAndGet();
                    return;
                }
                lastProblem = "HTTP " + status;
                if (!retryable(status)) {
                    break;
                }
            } catch (IOException e) {
                lastProblem = e.getClass().getSimpleName();
            }
            if (attempt < settings.maxAttempts()) {
                LOG.debug("alert {} attempt {} to {} failed ({}), will retry", alert.event().wireName(), attempt,
                        settings.redactedUrl(), lastProblem);
            }
        }
        failed.incrementAndGet();
        LOG.warn("alert {} {} not delivered to {}: {}", alert.event().wireName(), alert.id(),
                settings.redactedUrl(), lastProblem);
    }

    static boolean retryable(int status) {
        return status == 408 || status == 425 || status == 429 || status >= 500;
    }
}
