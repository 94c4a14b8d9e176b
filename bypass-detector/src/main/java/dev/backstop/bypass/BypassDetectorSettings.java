package dev.backstop.bypass;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the bypass detector watches and how often.
 *
 * @param agentRoles                database roles agents use (config {@code gateway.agentRoles}); sessions of these
 *                                  roles and of every role that is a member of one (recursively) are watched
 * @param pollInterval              how often pg_stat_activity is read (config {@code sidecar.bypassPollSeconds},
 *                                  default 5 s)
 * @param quietPeriod               the posture stays degraded until no uncleared bypass was seen for this long
 *                                  (default 15 min)
 * @param preventiveCheckInterval   how often the role checks run after the one at start (default 10 min)
 * @param protectedSchemas          schemas whose tables agent roles must not own (default {@code public})
 * @param stateSchema               the gateway's state schema holding gateway_backends and bypass_events
 *                                  (config {@code database.stateSchema}, default {@code backstop})
 * @param source                    the {@code source} of the alerts it sends (default {@code sidecar})
 * @param queryTimeout              timeout of each catalog query (default 10 s)
 */
public record BypassDetectorSettings(List<String> agentRoles, Duration pollInterval, Duration quietPeriod,
                                     Duration preventiveCheckInterval, List<String> protectedSchemas,
                                     String stateSchema, String source, Duration queryTimeout) {

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofMinutes(15);
    public static final Duration DEFAULT_PREVENTIVE_CHECK_INTERVAL = Duration.ofMinutes(10);
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(10);

    public BypassDetectorSettings {
        agentRoles = List.copyOf(Objects.requireNonNull(agentRoles, "agentRoles"));
        if (agentRoles.isEmpty() || agentRoles.stream().anyMatch(r -> r == null || r.isBlank())) {
            throw new IllegalArgumentException("agentRoles must list at least one non-empty role name");
        }
        requirePositive(pollInterval, "pollInterval");
        requirePositive(quietPeriod, "quietPeriod");
        requirePositive(preventiveCheckInterval, "preventiveCheckInterval");
        requirePositive(queryTimeout, "queryTimeout");
        protectedSchemas = List.copyOf(Objects.requireNonNull(protectedSchemas, "protectedSchemas"));
        if (stateSchema == null || stateSchema.isBlank()) {
            throw new IllegalArgumentException("stateSchema must not be empty");
        }
        source = source == null ? "sidecar" : source;
    }

    /** Defaults for everything but the roles. */
    public static BypassDetectorSettings defaults(List<String> agentRoles) {
        return new BypassDetectorSettings(agentRoles, DEFAULT_POLL_INTERVAL, DEFAULT_QUIET_PERIOD,
                DEFAULT_PREVENTIVE_CHECK_INTERVAL, List.of("public"), "backstop", "sidecar", DEFAULT_QUERY_TIMEOUT);
    }

    public BypassDetectorSettings withPollInterval(Duration value) {
        return new BypassDetectorSettings(agentRoles, value, quietPeriod, preventiveCheckInterval, protectedSchemas,
                stateSchema, source, queryTimeout);
    }

    public BypassDetectorSettings withQuietPeriod(Duration value) {
        return new BypassDetectorSettings(agentRoles, pollInterval, value, preventiveCheckInterval, protectedSchemas,
                stateSchema, source, queryTimeout);
    }

    public BypassDetectorSettings withPreventiveCheckInterval(Duration value) {
        return new BypassDetectorSettings(agentRoles, pollInterval, quietPeriod, value, protectedSchemas,
                stateSchema, source, queryTimeout);
    }

    public BypassDetectorSettings withProtectedSchemas(List<String> value) {
        return new BypassDetectorSettings(agentRoles, pollInterval, quietPeriod, preventiveCheckInterval, value,
                stateSchema, source, queryTimeout);
    }

    public BypassDetectorSettings withStateSchema(String value) {
        return new BypassDetectorSettings(agentRoles, pollInterval, quietPeriod, preventiveCheckInterval,
                protectedSchemas, value, source, queryTimeout);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration");
        }
    }
}
