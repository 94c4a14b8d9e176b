package dev.backstop.bypass;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides protected vs degraded. Pure: the detector feeds it what it read.
 *
 * <p>Degraded while (a) some agent role has an uncleared bypass event last seen within the quiet period
 * (an operator's clear sets cleared_at; a session still connected is seen again at the next poll and opens
 * a new event), or (b) the detector is blind: no successful poll yet, or none within two poll intervals.
 * Failing closed: not being able to look is not "protected". Preventive warnings never change the state.
 */
public final class PostureTracker {
    private final Duration quietPeriod;
    private final Duration maxPollAge;

    public PostureTracker(Duration quietPeriod, Duration pollInterval) {
        this.quietPeriod = quietPeriod;
        this.maxPollAge = pollInterval.multipliedBy(2);
    }

    /** Events last seen at or after this instant still degrade the posture. */
    public Instant quietSince(Instant now) {
        return now.minus(quietPeriod);
    }

    public Posture evaluate(Instant now, List<BypassEventStore.RecentBypass> recent, Instant lastSuccessfulPoll,
                            String lastPollError, List<PostureWarning> warnings, Map<String, Integer> live,
                            List<BypassSession> liveSessions) {
        List<PostureReason> reasons = new ArrayList<>();
        Instant since = quietSince(now);
        for (BypassEventStore.RecentBypass r : recent) {
            if (!r.lastSeenAt().isBefore(since)) {
                reasons.add(new PostureReason(PostureReason.BYPASS_DETECTED, r.agentRole(),
                        r.events() + " uncleared direct session(s) of agent role " + r.agentRole()
                                + ", last seen " + r.lastSeenAt() + "; protected again " + quietPeriod.toMinutes()
                                + " min after the last one, or when an operator clears them"));
            }
        }
        if (lastSuccessfulPoll == null) {
            reasons.add(new PostureReason(PostureReason.DETECTOR_UNAVAILABLE, null,
                    "pg_stat_activity has not been read yet" + (lastPollError == null ? "" : ": " + lastPollError)));
        } else if (Duration.between(lastSuccessfulPoll, now).compareTo(maxPollAge) > 0) {
            reasons.add(new PostureReason(PostureReason.DETECTOR_UNAVAILABLE, null,
                    "pg_stat_activity not read since " + lastSuccessfulPoll
                            + (lastPollError == null ? "" : ": " + lastPollError)));
        }
        PostureState state = reasons.isEmpty() ? PostureState.PROTECTED : PostureState.DEGRADED;
        return new Posture(state, reasons, warnings, live, liveSessions, lastSuccessfulPoll, now);
    }
}
