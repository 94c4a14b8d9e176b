package dev.backstop.sidecar.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the heartbeat row through PostgreSQL. Its sequence number is what a flush waits for: once the row came back
 * through the CDC stream and everything before it is durable, the sequence is published.
 */
public final class HeartbeatWriter {
    private final ConnectionFactory connections;
    private final String sidecarId;
    private final Clock clock;
    private final AtomicLong seq = new AtomicLong();

    public HeartbeatWriter(ConnectionFactory connections, String sidecarId, Clock clock) {
        this.connections = connections;
        this.sidecarId = sidecarId;
        this.clock = clock;
    }

    /** Writes (commits) a new heartbeat row and returns its sequence number, strictly increasing across restarts. */
    public long write() throws SQLException {
        long next = reserve();
        write(next);
        return next;
    }

    /** The next sequence number, for a row written later with {@link #write(long)}. */
    public long reserve() {
        return seq.updateAndGet(x -> Math.max(x + 1, clock.millis()));
    }

    /** Writes (commits) the heartbeat row with a sequence number from {@link #reserve()}. */
    public void write(long next) throws SQLException {
        try (Connection c = connections.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO "
                + ReplicationSetup.STATE_SCHEMA + "." + ReplicationSetup.HEARTBEAT_TABLE
                + " (sidecar_id, seq, written_at) VALUES (?, ?, clock_timestamp()) ON CONFLICT (sidecar_id)"
                + " DO UPDATE SET seq = excluded.seq, written_at = excluded.written_at")) {
            ps.setString(1, sidecarId);
            ps.setLong(2, next);
            ps.executeUpdate();
        }
    }

    /** Opens a connection as the sidecar's role. */
    @FunctionalInterface
    public interface ConnectionFactory {
        Connection connect() throws SQLException;
    }
}
