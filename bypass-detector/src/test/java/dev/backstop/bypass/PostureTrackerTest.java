package dev.backstop.bypass;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PostureTrackerTest {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    static final PostureTracker TRACKER = new PostureTracker(Duration.ofMinutes(15), Duration.ofSeconds(5));
    static final List<PostureWarning> WARN = List.of(new PostureWarning("agent_role_can_login", "agent", "m"));

    static BypassEventStore.RecentBypass seen(String role, Duration ago) {
        return new BypassEventStore.RecentBypass(role, 1, NOW.minus(Duration.ofHours(1)), NOW.minus(ago));
    }

    static Stream<Arguments> cases() {
        Instant fresh = NOW.minusSeconds(5);
        return Stream.of(
                Arguments.of("nothing seen, recent poll", List.of(), fresh, List.of()),
                Arguments.of("warnings alone do not degrade", List.of(), fresh, List.of()),
                Arguments.of("bypass seen just now", List.of(seen("agent", Duration.ZERO)), fresh,
                        List.of("bypass_detected agent")),
                Arguments.of("last seen exactly 15 min ago still counts",
                        List.of(seen("agent", Duration.ofMinutes(15))), fresh, List.of("bypass_detected agent")),
                Arguments.of("last seen 15 min + 1 s ago no longer counts",
                        List.of(seen("agent", Duration.ofMinutes(15).plusSeconds(1))), fresh, List.of()),
                Arguments.of("two roles", List.of(seen("agent", Duration.ZERO), seen("reporting", Duration.ofMinutes(3))),
                        fresh, List.of("bypass_detected agent", "bypass_detected reporting")),
                Arguments.of("never polled", List.of(), null, List.of("bypass_detector_unavailable null")),
                Arguments.of("last poll exactly two intervals ago", List.of(), NOW.minusSeconds(10), List.of()),
                Arguments.of("last poll more than two intervals ago", List.of(), NOW.minusSeconds(11),
                        List.of("bypass_detector_unavailable null")),
                Arguments.of("blind and bypass", List.of(seen("agent", Duration.ZERO)), NOW.minusSeconds(60),
                        List.of("bypass_detected agent", "bypass_detector_unavailable null")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String name, List<BypassEventStore.RecentBypass> recent, Instant lastPoll, List<String> reasons) {
        Posture p = TRACKER.evaluate(NOW, recent, lastPoll, null, WARN, Map.of("agent", 0), List.of());
        assertEquals(reasons, p.reasons().stream().map(r -> r.code() + " " + r.role()).toList());
        assertEquals(reasons.isEmpty() ? PostureState.PROTECTED : PostureState.DEGRADED, p.state());
        assertEquals(WARN, p.warnings());
        assertEquals(NOW, p.evaluatedAt());
    }
}
