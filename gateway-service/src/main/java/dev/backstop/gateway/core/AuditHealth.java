package dev.backstop.gateway.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Whether audit writes are succeeding, for the posture: a failure in the last minute makes it unhealthy. */
public final class AuditHealth {
    static final Duration RECENT = Duration.ofSeconds(60);

    private final Clock clock;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<Instant> lastFailure = new AtomicReference<>();

    public AuditHealth(Clock clock) {
        this.clock = clock;
    }

    public void failed() {
        failures.incrementAndGet();
        lastFailure.set(clock.instant());
    }

    public boolean healthy() {
        Instant last = lastFailure.get();
        return last == null || last.isBefore(clock.instant().minus(RECENT));
    }

    Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("healthy", healthy());
        m.put("failures_total", failures.get());
        Instant last = lastFailure.get();
        m.put("last_failure_at", last == null ? null : last.toString());
        return m;
    }
}
