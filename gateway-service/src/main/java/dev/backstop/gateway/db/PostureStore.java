package dev.backstop.gateway.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Uncleared bypass events (written by the sidecar) and their clearing by an operator. */
public final class PostureStore {
    private final DataSource ds;
    private final StateSchema schema;

    public PostureStore(DataSource ds, StateSchema schema) {
        this.ds = ds;
        this.schema = schema;
    }

    /**
     * Agent roles with an uncleared bypass event seen at or after {@code since} (now minus the quiet
     * period): the bypass detector's own rule (bypass-detector README, "Posture").
     */
    public List<dev.backstop.bypass.BypassEventStore.RecentBypass> recentBypass(Instant since) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return new dev.backstop.bypass.BypassEventStore(schema.name()).recentUncleared(c, since);
        }
    }

    /** Uncleared events last seen at or after {@code since}, oldest first (at most 100). */
    public List<Map<String, Object>> openBypassEvents(Instant since) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, detected_at, last_seen_at, role, client_addr,"
                     + " application_name, backend_pid FROM " + schema.table("bypass_events")
                     + " WHERE cleared_at IS NULL AND last_seen_at >= ? ORDER BY detected_at LIMIT 100")) {
            ps.setTimestamp(1, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", rs.getLong(1));
                m.put("detected_at", rs.getTimestamp(2).toInstant().toString());
                m.put("last_seen_at", rs.getTimestamp(3).toInstant().toString());
                m.put("role", rs.getString(4));
                m.put("client_addr", rs.getString(5));
                m.put("application_name", rs.getString(6));
                m.put("backend_pid", rs.getObject(7));
                out.add(m);
            }
            }
        }
        return out;
    }

    /** Clears every open event unless one was seen after liveSince. Returns false if one is live. */
    public boolean clear(String by, String reason, Instant now, Instant liveSince) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement live = c.prepareStatement("SELECT count(*) FROM " + schema.table("bypass_events")
                    + " WHERE cleared_at IS NULL AND last_seen_at > ?")) {
                live.setTimestamp(1, Timestamp.from(liveSince));
                try (ResultSet rs = live.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        c.rollback();
                        return false;
                    }
                }
            }
            try (PreparedStatement up = c.prepareStatement("UPDATE " + schema.table("bypass_events")
                    + " SET cleared_at = ?, cleared_by = ?, clear_reason = ? WHERE cleared_at IS NULL")) {
                up.setTimestamp(1, Timestamp.from(now));
                up.setString(2, by);
                up.setString(3, reason);
                up.executeUpdate();
            }
            c.commit();
            return true;
        }
    }
}
