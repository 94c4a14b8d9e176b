package dev.backstop.alerts;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link WebhookAlertSink} delivers.
 *
 * @param url            http(s) URL the JSON is POSTed to; may hold a secret (e.g. a chat webhook token), so it
 *                       is never logged beyond scheme, host and port
 * @param headers        extra request headers, e.g. Authorization; values are never logged
 * @param queueCapacity  alerts waiting to be sent; when full the OLDEST is dropped (and counted)
 * @param maxAttempts    attempts per alert, first one included
 * @param initialBackoff wait before the second attempt; doubles per attempt up to {@code maxBackoff}
 * @param maxBackoff     cap on one wait
 * @param connectTimeout TCP connect timeout per attempt
 * @param requestTimeout whole-request timeout per attempt
 * @param drainTimeout   how long {@link WebhookAlertSink#close()} keeps delivering what is queued
 */
public record WebhookSettings(URI url, Map<String, String> headers, int queueCapacity, int maxAttempts,
                              Duration initialBackoff, Duration maxBackoff, Duration connectTimeout,
                              Duration requestTimeout, Duration drainTimeout) {

    public static final int DEFAULT_QUEUE_CAPACITY = 1000;
    public static final int DEFAULT_MAX_ATTEMPTS = 6;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

    public WebhookSettings {
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException("alert webhook URL must be an absolute http(s) URL");
        }
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be >= 1");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
        requirePositive(initialBackoff, "initialBackoff");
        requirePositive(maxBackoff, "maxBackoff");
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(requestTimeout, "requestTimeout");
        requirePositive(drainTimeout, "drainTimeout");
    }

    public static WebhookSettings defaults(URI url) {
        return new WebhookSettings(url, Map.of(), DEFAULT_QUEUE_CAPACITY, DEFAULT_MAX_ATTEMPTS,
                DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_DRAIN_TIMEOUT);
    }

    public WebhookSettings withHeaders(Map<String, String> value) {
        return new WebhookSettings(url, value, queueCapacity, maxAttempts, initialBackoff, maxBackoff,
                connectTimeout, requestTimeout, drainTimeout);
    }

    public WebhookSettings withQueueCapacity(int value) {
        return new WebhookSettings(url, headers, value, maxAttempts, initialBackoff, maxBackoff,
                connectTimeout, requestTimeout, drainTimeout);
    }

    public WebhookSettings withRetries(int attempts, Duration initial, Duration max) {
        return new WebhookSettings(url, headers, queueCapacity, attempts, initial, max,
                connectTimeout, requestTimeout, drainTimeout);
    }

    public WebhookSettings withTimeouts(Duration connect, Duration request) {
        return new WebhookSettings(url, headers, queueCapacity, maxAttempts, initialBackoff, maxBackoff,
                connect, request, drainTimeout);
    }

    public WebhookSettings withDrainTimeout(Duration value) {
        return new WebhookSettings(url, headers, queueCapacity, maxAttempts, initialBackoff, maxBackoff,
                connectTimeout, requestTimeout, value);
    }

    /** The wait before attempt number {@code attempt} (2 = first retry): initial * 2^(attempt-2), capped. */
    public Duration backoffBefore(int attempt) {
        if (attempt < 2) {
            return Duration.ZERO;
        }
        int doublings = Math.min(attempt - 2, 30);
        Duration d = initialBackoff.multipliedBy(1L << doublings);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    /** The URL without path, query or user info: safe to log. */
    public String redactedUrl() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "");
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration");
        }
    }
}
