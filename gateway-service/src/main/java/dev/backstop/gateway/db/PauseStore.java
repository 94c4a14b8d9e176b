package dev.backstop.gateway.db;

import dev.backstop.gateway.core.PauseStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import javax.sql.DataSource;

/** The single pause_state row. */
public final class PauseStore {
    private final DataSource ds;
    private final StateSchema schema;

    public PauseStore(DataSource ds, StateSchema schema) {
        this.ds = ds;
        this.schema = schema;
    }

    public PauseStatus load() throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT paused, blocks_all, reason, changed_by, changed_at FROM "
                     + schema.table("pause_state") + " WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return PauseStatus.OFF;
            }
            Timestamp at = rs.getTimestamp(5);
            return new PauseStatus(rs.getBoolean(1), rs.getBoolean(2), rs.getString(3), rs.getString(4),
                    at == null ? null : at.toInstant().toString());
        }
    }

    public void save(PauseStatus s, Instant at) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE " + schema.table("pause_state")
                     + " SET paused = ?, blocks_all = ?, reason = ?, changed_by = ?, changed_at = ? WHERE id = 1")) {
            ps.setBoolean(1, s.paused());
            ps.setBoolean(2, s.blocksAll());
            ps.setString(3, s.reason());
            ps.setString(4, s.changedBy());
            ps.setTimestamp(5, Timestamp.from(at));
            ps.executeUpdate();
        }
    }
}
