package dev.backstop.bypass;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;

/**
 * The detector's metrics (docs/metrics.md). Every configured agent role and every check has its series from
 * the start (value 0), so alert rules and dashboards see "zero", not "absent".
 */
final class BypassMetrics {
    private final Gauge connections;
    private final Counter detections;
    private final Gauge degraded;
    private final Gauge warnings;
    private final Counter pollErrors;
    private final List<String> roles;

    BypassMetrics(PrometheusRegistry registry, List<String> agentRoles) {
        this.roles = List.copyOf(agentRoles);
        connections = Gauge.builder().name("backstop_bypass_connections")
                .help("Sessions of an agent role (or a member of it) that are not the gateway's own, at the last poll")
                .labelNames("role").register(registry);
        detections = Counter.builder().name("backstop_bypass_detections_total")
                .help("Direct sessions of agent roles detected (each session counted once)")
                .labelNames("role").register(registry);
        degraded = Gauge.builder().name("backstop_posture_degraded")
                .help("1 while the prevention posture is degraded (bypass seen within the quiet period and not"
                        + " cleared, or the detector cannot poll), else 0")
                .register(registry);
        warnings = Gauge.builder().name("backstop_posture_warnings")
                .help("Failed preventive checks (roles concerned) per check; they do not degrade the posture")
                .labelNames("check").register(registry);
        pollErrors = Counter.builder().name("backstop_bypass_poll_errors_total")
                .help("Polls of pg_stat_activity that failed")
                .register(registry);
        for (String role : roles) {
            connections.labelValues(role).set(0);
            detections.labelValues(role);
        }
        for (String check : PostureWarning.CHECKS) {
            warnings.labelValues(check).set(0);
        }
        degraded.set(1); // until the first poll says otherwise
    }

    void liveConnections(Map<String, Integer> perRole) {
        for (String role : roles) {
            connections.labelValues(role).set(perRole.getOrDefault(role, 0));
        }
    }

    void detected(String role) {
        detections.labelValues(role).inc();
    }

    void posture(Posture p) {
        degraded.set(p.degraded() ? 1 : 0);
    }

    void warnings(List<PostureWarning> list) {
        for (String check : PostureWarning.CHECKS) {
            warnings.labelValues(check).set(list.stream().filter(w -> w.check().equals(check)).count());
        }
    }

    void pollFailed() {
        pollErrors.inc();
    }
}
