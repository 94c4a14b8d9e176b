package dev.backstop.sidecar;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backstop.bypass.BypassDetector;
import dev.backstop.bypass.BypassDetectorSettings;
import dev.backstop.bypass.Posture;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Layer 4 in the sidecar: the bypass detector (module bypass-detector) watching pg_stat_activity for
 * agent-role sessions that do not come from the gateway, with its metrics on the sidecar's /metrics
 * and its alerts through the sidecar's alert sink. Settings come from the same config file:
 * {@code sidecar.agentRoles} (default {@code gateway.agentRoles}), {@code sidecar.bypassPollSeconds},
 * {@code sidecar.bypassQuietPeriodSeconds}, {@code sidecar.protectedSchemas},
 * {@code database.stateSchema}; it connects as the sidecar's replication user.
 */
public final class BypassWatch implements AutoCloseable {
    private final BypassDetector detector;
    private final ScheduledExecutorService scheduler;

    private BypassWatch(BypassDetector detector, ScheduledExecutorService scheduler) {
        this.detector = detector;
        this.scheduler = scheduler;
    }

    public static BypassWatch start(Path configFile, SidecarConfig config, PrometheusRegistry registry,
                                    dev.backstop.alerts.AlertSink alerts, Clock clock) throws IOException {
        JsonNode root = ConfigTree.read(configFile);
        JsonNode sc = root.path("sidecar");
        List<String> roles = strings(sc.path("agentRoles"));
        if (roles.isEmpty()) {
            roles = strings(root.path("gateway").path("agentRoles"));
        }
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("sidecar.agentRoles (or gateway.agentRoles) must name the agent database"
                    + " roles to watch for bypass connections");
        }
        List<String> schemas = strings(sc.path("protectedSchemas"));
        BypassDetectorSettings settings = BypassDetectorSettings.defaults(roles)
                .withPollInterval(Duration.ofSeconds(sc.path("bypassPollSeconds").asLong(5)))
                .withQuietPeriod(Duration.ofSeconds(sc.path("bypassQuietPeriodSeconds").asLong(900)))
                .withStateSchema(root.path("database").path("stateSchema").asText("backstop"))
                .withProtectedSchemas(schemas.isEmpty() ? List.of("public") : schemas);
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(config.jdbcUrl());
        ds.setUser(config.replicationUser());
        ds.setPassword(config.replicationPassword());
        ds.setApplicationName("backstop-sidecar-bypass-detector");
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "backstop-bypass-detector");
            t.setDaemon(true);
            return t;
        });
        BypassDetector detector = new BypassDetector(settings, ds, clock, scheduler, registry, alerts);
        detector.start();
        return new BypassWatch(detector, scheduler);
    }

    public Posture posture() {
        return detector.posture();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Override
    public void close() {
        try {
            detector.close();
        } finally {
            scheduler.shutdownNow();
        }
    }
}
