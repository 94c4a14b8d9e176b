package dev.backstop.bypass;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The bypass_events table of the gateway's state schema: one open (uncleared) event per session
 * (backend_pid, backend_start), its last_seen_at refreshed at every poll that still sees it. The gateway
 * clears events (cleared_at, cleared_by, clear_reason) through POST /v1/posture/clear; a session still
 * live after a clear opens a new event at the next poll.
 *
 * <p>Assumes one detector per state schema (one sidecar): two would each open an event for a session.
 */
public final class BypassEventStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Uncleared events of one agent role seen since some instant. */
    public record RecentBypass(String agentRole, int events, Instant firstDetectedAt, Instant lastSeenAt) {
    }

    /** Result of recording one sighting. */
    public record Sighting(long eventId, boolean newEvent) {
    }

    private final String table;

    public BypassEventStore(String stateSchema) {
        this.table = SqlIdentifiers.table(stateSchema, "bypass_events");
    }

    /** Refreshes the session's open event, or opens one. Runs in one transaction. */
    public Sighting record(Connection c, BypassSession s, Instant now) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            Sighting result;
            try (PreparedStatement up = c.prepareStatement("UPDATE " + table
                    + " SET last_seen_at = ?, detail = ?::jsonb"
                    + " WHERE cleared_at IS NULL AND backend_pid = ? AND backend_start IS NOT DISTINCT FROM ?"
                    + " RETURNING id")) {
                up.setObject(1, utc(now));
                up.setString(2, detail(s));
                up.setInt(3, s.pid());
                setInstant(up, 4, s.backendStart());
                try (ResultSet rs = up.executeQuery()) {
                    result = rs.next() ? new Sighting(rs.getLong(1), false) : null;
                }
            }
            if (result == null) {
                try (PreparedStatement in = c.prepareStatement("INSERT INTO " + table
                        + " (detected_at, last_seen_at, role, client_addr, application_name, backend_pid,"
                        + " backend_start, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb) RETURNING id")) {
                    in.setObject(1, utc(now));
                    in.setObject(2, utc(now));
                    in.setString(3, s.agentRole());
                    in.setString(4, s.clientAddr());
                    in.setString(5, s.applicationName());
                    in.setInt(6, s.pid());
                    setInstant(in, 7, s.backendStart());
                    in.setString(8, detail(s));
                    try (ResultSet rs = in.executeQuery()) {
                        rs.next();
                        result = new Sighting(rs.getLong(1), true);
                    }
                }
            }
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c, e);
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Uncleared events last seen at or after {@code since}, per agent role (sorted by role). */
    public List<RecentBypass> recentUncleared(Connection c, Instant since) throws SQLException {
        List<RecentBypass> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT role, count(*), min(detected_at), max(last_seen_at)"
                + " FROM " + table + " WHERE cleared_at IS NULL AND last_seen_at >= ? GROUP BY role ORDER BY role")) {
            ps.setObject(1, utc(since));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RecentBypass(rs.getString(1), rs.getInt(2), ActivityScanner.instant(rs, 3),
                            ActivityScanner.instant(rs, 4)));
                }
            }
        }
        return out;
    }

    /**
     * Clears every open event (what POST /v1/posture/clear does; the gateway owns that endpoint and its
     * audit). Returns the number of events cleared.
     */
    public int clearAll(Connection c, String clearedBy, String reason, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table
                + " SET cleared_at = ?, cleared_by = ?, clear_reason = ? WHERE cleared_at IS NULL")) {
            ps.setObject(1, utc(now));
            ps.setString(2, clearedBy);
            ps.setString(3, reason);
            return ps.executeUpdate();
        }
    }

    static String detail(BypassSession s) {
        ObjectNode d = JSON.createObjectNode();
        d.put("login_role", s.loginRole());
        d.put("agent_role", s.agentRole());
        d.put("client_port", s.clientPort());
        d.put("query_start", s.queryStart() == null ? null : s.queryStart().toString());
        d.put("state", s.state());
        d.put("backend_type", s.backendType());
        d.put("database", s.database());
        d.put("query_sha256", s.querySha256());
        return d.toString();
    }

    private static OffsetDateTime utc(Instant i) {
        return i.atOffset(ZoneOffset.UTC);
    }

    private static void setInstant(PreparedStatement ps, int index, Instant i) throws SQLException {
        if (i == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, utc(i));
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
