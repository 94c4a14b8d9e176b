package dev.backstop.gateway.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/** At most N requests in flight per principal; the (N+1)th is refused at once, never queued. */
public final class ConcurrencyLimiter {
    private final int perPrincipal;
    private final Map<String, Semaphore> permits = new ConcurrentHashMap<>();

    public ConcurrencyLimiter(int perPrincipal) {
        this.perPrincipal = perPrincipal;
    }

    /** Returns the semaphore to release, or null if the principal is at its limit. */
    public Semaphore tryAcquire(String principal) {
        Semaphore s = permits.computeIfAbsent(principal, k -> new Semaphore(perPrincipal));
        return s.tryAcquire() ? s : null;
    }
}
