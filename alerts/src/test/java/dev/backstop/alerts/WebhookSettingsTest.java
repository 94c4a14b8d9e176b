package dev.backstop.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebhookSettingsTest {
    final WebhookSettings settings = WebhookSettings.defaults(URI.create("https://hooks.example.com:8443/T0/SECRET?x=1"))
            .withRetries(8, Duration.ofMillis(500), Duration.ofSeconds(3));

    @Test
    void backoffDoublesFromTheSecondAttemptAndIsCapped() {
        assertEquals(Duration.ZERO, settings.backoffBefore(1));
        assertEquals(Duration.ofMillis(500), settings.backoffBefore(2));
        assertEquals(Duration.ofMillis(1000), settings.backoffBefore(3));
        assertEquals(Duration.ofMillis(2000), settings.backoffBefore(4));
        assertEquals(Duration.ofSeconds(3), settings.backoffBefore(5));
        assertEquals(Duration.ofSeconds(3), settings.backoffBefore(60));
    }

    @Test
    void logsOnlySchemeHostAndPort() {
        assertEquals("https://hooks.example.com:8443", settings.redactedUrl());
        assertEquals("http://h", WebhookSettings.defaults(URI.create("http://user:pw@h/p")).redactedUrl());
    }

    @Test
    void refusesBadValues() {
        assertThrows(IllegalArgumentException.class, () -> WebhookSettings.defaults(URI.create("ftp://h/x")));
        assertThrows(IllegalArgumentException.class, () -> WebhookSettings.defaults(URI.create("/relative")));
        assertThrows(IllegalArgumentException.class, () -> settings.withQueueCapacity(0));
        assertThrows(IllegalArgumentException.class,
                () -> settings.withRetries(0, Duration.ofMillis(1), Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class,
                () -> settings.withRetries(3, Duration.ZERO, Duration.ofMillis(1)));
    }

    @Test
    void retryableStatuses() {
        assertEquals(true, WebhookAlertSink.retryable(500));
        assertEquals(true, WebhookAlertSink.retryable(503));
        assertEquals(true, WebhookAlertSink.retryable(429));
        assertEquals(true, WebhookAlertSink.retryable(408));
        assertEquals(false, WebhookAlertSink.retryable(400));
        assertEquals(false, WebhookAlertSink.retryable(401));
        assertEquals(false, WebhookAlertSink.retryable(404));
        assertEquals(false, WebhookAlertSink.retryable(302));
    }
}
