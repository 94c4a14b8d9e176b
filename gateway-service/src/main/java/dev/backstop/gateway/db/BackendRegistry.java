package dev.backstop.gateway.db;

import io.dropwizard.lifecycle.Managed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the backend pid and start time of every connection of the gateway's pool (found by its
 * application_name), refreshed periodically, so bypass detection can tell the gateway's own
 * agent-role sessions from direct ones.
 */
public final class BackendRegistry implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(BackendRegistry.class);

    private final DataSource state;
    private final StateSchema schema;
    private final String instanceId;
    private final String applicationName;
    private final Clock clock;
    private final long periodSeconds;
    private ScheduledExecutorService scheduler;

    public BackendRegistry(DataSource state, StateSchema schema, String instanceId, String applicationName, Clock clock,
                           long periodSeconds) {
        this.state = state;
        this.schema = schema;
        this.instanceId = instanceId;
        this.applicationName = applicationName;
        this.clock = clock;
        this.periodSeconds = periodSeconds;
    }

    public void refresh() throws SQLException {
        try (Connection c = state.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.table("gateway_backends")
                     + " (instance_id, backend_pid, backend_start, first_seen, refreshed_at)"
                     + " SELECT ?, pid, backend_start, ?, ? FROM pg_stat_activity"
                     + " WHERE application_name = ? AND datname = current_database()"
                     + " ON CONFLICT (backend_pid, backend_start) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at,"
                     + " instance_id = EXCLUDED.instance_id")) {
            Timestamp now = Timestamp.from(clock.instant());
            ps.setString(1, instanceId);
            ps.setTimestamp(2, now);
            ps.setTimestamp(3, now);
            ps.setString(4, applicationName);
            ps.executeUpdate();
        }
    }

    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "backend-registry");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                refresh();
            } catch (SQLException | RuntimeException e) {
                LOG.warn("gateway backends not refreshed: {}", e.getMessage());
            }
        }, 0, periodSeconds, TimeUnit.SECONDS);
    }

    @Override
    public void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
