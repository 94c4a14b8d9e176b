package dev.backstop.gateway.core;

import dev.backstop.gateway.db.PauseStore;
import dev.backstop.gateway.db.QuarantineStore;
import dev.backstop.policy.Policy;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Emergency pause and agent quarantine. Both are persisted in the state schema (they survive a
 * restart) and cached here, because every request consults them.
 */
public final class SafetyState {
    private final PauseStore pauseStore;
    private final QuarantineStore quarantineStore;
    private final Clock clock;
    private volatile PauseStatus pause = PauseStatus.OFF;
    private final Map<String, Instant> quarantinedUntil = new ConcurrentHashMap<>();

    public SafetyState(PauseStore pauseStore, QuarantineStore quarantineStore, Clock clock) {
        this.pauseStore = pauseStore;
        this.quarantineStore = quarantineStore;
        this.clock = clock;
    }

    /**
     * (Re)reads both from the state schema: at start, and periodically so that a pause or quarantine
     * set by another gateway instance takes effect here too. Entries are only added or extended here
     * (never removed before they expire), so a reload can never open a gap in a quarantine.
     */
    public synchronized void load() throws SQLException {
        PauseStatus stored = pauseStore.load();
        Map<String, Instant> active = quarantineStore.active(clock.instant());
        pause = stored;
        active.forEach((principal, until) -> quarantinedUntil.merge(principal, until,
                (a, b) -> a.isAfter(b) ? a : b));
    }

    public PauseStatus pause() {
        return pause;
    }

    public synchronized PauseStatus setPause(boolean paused, boolean blocksAll, String reason, String by)
            throws SQLException {
        Instant now = clock.instant();
        PauseStatus next = new PauseStatus(paused, paused && blocksAll, reason, by, now.toString());
        pauseStore.save(next, now);
        pause = next;
        return next;
    }

    public boolean quarantined(String principal) {
        Instant until = quarantinedUntil.get(principal);
        return until != null && clock.instant().isBefore(until);
    }

    public Instant quarantinedUntil(String principal) {
        return quarantinedUntil.get(principal);
    }

    /**
     * Records a blocked or denied risky attempt; quarantines the principal when the policy's limit
     * within the window is reached. Returns the quarantine end if it started now, else null.
     */
    public synchronized Instant recordRiskyAttempt(String principal, String kind, UUID auditId, Policy policy)
            throws SQLException {
        Instant now = clock.instant();
        int n = quarantineStore.recordAttempt(principal, kind, auditId, now,
                now.minusSeconds(policy.dangerousRetryWindowSeconds()));
        if (policy.maxBlockedAttemptsPerWindow() > 0 && n >= policy.maxBlockedAttemptsPerWindow()
                && !quarantined(principal)) {
            Instant until = now.plusSeconds(policy.quarantineDurationSeconds());
            quarantineStore.quarantine(principal, now, until,
                    n + " blocked or denied risky attempts within " + policy.dangerousRetryWindowSeconds() + " s");
            quarantinedUntil.put(principal, until);
            return until;
        }
        return null;
    }
}
