package dev.backstop.gateway.auth;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class ConcurrencyLimiterTest {
    @Test
    void refusesOverTheLimitPerPrincipal() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(2);
        Semaphore a = limiter.tryAcquire("agent-1");
        assertNotNull(a);
        assertNotNull(limiter.tryAcquire("agent-1"));
        assertNull(limiter.tryAcquire("agent-1"), "a third request while two are in flight");
        assertNotNull(limiter.tryAcquire("agent-2"), "other principals have their own slots");
        a.release();
        assertSame(a, limiter.tryAcquire("agent-1"), "a freed slot is taken again");
    }

    @Test
    void aSlotFreedWhileARequestWaitsIsTaken() throws Exception {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(1);
        Semaphore held = limiter.tryAcquire("agent-1");
        CompletableFuture<Semaphore> next = CompletableFuture.supplyAsync(() -> limiter.tryAcquire("agent-1"));
        while (!held.hasQueuedThreads()) {
            Thread.onSpinWait(); // the next request is waiting for the slot
        }
        held.release(); // as the previous request's filter does just after its response went out
        assertSame(held, next.get(), "a sequential client is not refused because the slot was freed late");
    }
}
