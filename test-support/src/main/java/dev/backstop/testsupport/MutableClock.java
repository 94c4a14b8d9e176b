package dev.backstop.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A UTC clock tests move by hand (expiry, quiet periods, freshness, retention), safe across threads.
 * Either stopped at an instant ({@link #MutableClock(Instant)}) or running with real time plus an
 * offset ({@link #running()}), for code that also needs time to pass on its own.
 */
public final class MutableClock extends Clock {
    private volatile Instant stoppedAt;
    private volatile Duration offset = Duration.ZERO;

    public MutableClock(Instant start) {
        this.stoppedAt = start;
    }

    private MutableClock() {
        this.stoppedAt = null;
    }

    /** Real time, moved forward by {@link #advance}. */
    public static MutableClock running() {
        return new MutableClock();
    }

    /** Stops the clock at {@code instant}. */
    public synchronized void set(Instant instant) {
        stoppedAt = instant;
    }

    public synchronized void advance(Duration d) {
        if (stoppedAt != null) {
            stoppedAt = stoppedAt.plus(d);
        } else {
            offset = offset.plus(d);
        }
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        Instant s = stoppedAt;
        return s != null ? s : Instant.now().plus(offset);
    }
}
