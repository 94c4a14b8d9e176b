package dev.backstop.gateway.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * At most N requests in flight per principal. A request over the limit waits up to {@link #GRACE_MILLIS} for a slot,
 * then is refused; it is never queued longer. The short wait is for clients that send one request after another: a
 * request's slot is freed just after its response has reached the client (audit completion, alerts), so without it
 * the next request of a sequential client could find the slot still taken.
 */
public final class ConcurrencyLimiter {
    static final long GRACE_MILLIS = 100;

    private final int perPrincipal;
    private final Map<String, Semaphore> permits = new ConcurrentHashMap<>();

    public ConcurrencyLimiter(int perPrincipal) {
        this.perPrincipal = perPrincipal;
    }

    /** Returns the semaphore to release, or null if the principal stayed at its limit for the grace period. */
    public Semaphore tryAcquire(String principal) {
        Semaphore s = permits.computeIfAbsent(principal, k -> new Semaphore(perPrincipal));
        if (s.tryAcquire()) {
            return s;
        }
        try {
            return s.tryAcquire(GRACE_MILLIS, TimeUnit.MILLISECONDS) ? s : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null; // refused: a request that cannot wait is not let through
        }
    }
}
