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
 * {@code gateway_backends}: the {@code (backend_pid, backend_start)} of each connection of the
 * gateway's target pool, so bypass detection can tell the gateway's own agent-role sessions from
 * direct ones. Rows are written only by {@link #register}, called by {@link RegisteringDataSource}
 * with values read on the new connection itself, through the state pool (the gateway's own role).
 * {@link #refresh} never adds rows: it keeps this instance's rows whose session is still live
 * (refreshed_at) and deletes the others.
 */
public final class BackendRegistry implements Managed, RegisteringDataSource.Registrar {
    private static final Logger LOG = LoggerFactory.getLogger(BackendRegistry.class);
    private static final String LIVE = "EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = gb.backend_pid"
            + " AND a.backend_start = gb.backend_start)";

    private final DataSource state;
    private final StateSchema schema;
    private final String instanceId;
    private final Clock clock;
    private final long periodSeconds;
    private ScheduledExecutorService scheduler;

    public BackendRegistry(DataSource state, StateSchema schema, String instanceId, Clock clock, long periodSeconds) {
        this.state = state;
        this.schema = schema;
        this.instanceId = instanceId;
        this.clock = clock;
        this.periodSeconds = periodSeconds;
    }

    @Override
    public void register(int backendPid, Timestamp backendStart) throws SQLException {
        try (Connection c = state.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.table("gateway_backends")
                     + " (instance_id, backend_pid, backend_start, first_seen, refreshed_at) VALUES (?, ?, ?, ?, ?)"
                     + " ON CONFLICT (backend_pid, backend_start) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at,"
                     + " instance_id = EXCLUDED.instance_id")) {
            Timestamp now = Timestamp.from(clock.instant());
            ps.setString(1, instanceId);
            ps.setInt(2, backendPid);
            ps.setTimestamp(3, backendStart);
            ps.setTimestamp(4, now);
            ps.setTimestamp(5, now);
            ps.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
    }

    /** Keeps this instance's live rows (refreshed_at = now) and deletes those whose session ended. */
    public void refresh() throws SQLException {
        try (Connection c = state.getConnection()) {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM " + schema.table("gateway_backends")
                    + " gb WHERE instance_id = ? AND NOT " + LIVE)) {
                del.setString(1, instanceId);
                del.executeUpdate();
            }
            try (PreparedStatement up = c.prepareStatement("UPDATE " + schema.table("gateway_backends")
                    + " gb SET refreshed_at = ? WHERE instance_id = ? AND " + LIVE)) {
                up.setTimestamp(1, Timestamp.from(clock.instant()));
                up.setString(2, instanceId);
                up.executeUpdate();
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
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
        }, periodSeconds, periodSeconds, TimeUnit.SECONDS);
    }

    @Override
    public void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
