package dev.backstop.bypass;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The prevention posture as the detector last evaluated it.
 *
 * @param state                 protected or degraded
 * @param reasons               why degraded (empty when protected)
 * @param warnings              failed preventive checks (do not change the state)
 * @param liveBypassConnections sessions per agent role at the last successful poll (every configured role present)
 * @param liveSessions          those sessions
 * @param lastSuccessfulPoll    null before the first one
 * @param evaluatedAt           when this posture was computed
 */
public record Posture(PostureState state, List<PostureReason> reasons, List<PostureWarning> warnings,
                      Map<String, Integer> liveBypassConnections, List<BypassSession> liveSessions,
                      Instant lastSuccessfulPoll, Instant evaluatedAt) {

    public Posture {
        reasons = List.copyOf(reasons);
        warnings = List.copyOf(warnings);
        liveBypassConnections = Map.copyOf(liveBypassConnections);
        liveSessions = List.copyOf(liveSessions);
    }

    public boolean degraded() {
        return state == PostureState.DEGRADED;
    }
}
