package dev.backstop.gateway.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/** Risky attempts per principal and active quarantines. */
public final class QuarantineStore {
    private final DataSource ds;
    private final StateSchema schema;

    public QuarantineStore(DataSource ds, StateSchema schema) {
        this.ds = ds;
        this.schema = schema;
    }

    /** Active quarantines: principal -> until. */
    public Map<String, Instant> active(Instant now) throws SQLException {
        Map<String, Instant> out = new HashMap<>();
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT principal, until FROM " + schema.table("quarantine")
                     + " WHERE until > ?")) {
            ps.setTimestamp(1, Timestamp.from(now));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getTimestamp(2).toInstant());
                }
            }
        }
        return out;
    }

    /**
     * Records one attempt and returns how many attempts the principal made since windowStart
     * (this one included), in one transaction.
     */
    public int recordAttempt(String principal, String kind, UUID auditId, Instant now, Instant windowStart)
            throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + schema.table("risky_attempts")
                    + " (principal, ts, kind, audit_id) VALUES (?, ?, ?, ?)")) {
                ins.setString(1, principal);
                ins.setTimestamp(2, Timestamp.from(now));
                ins.setString(3, kind);
                ins.setObject(4, auditId);
                ins.executeUpdate();
            }
            int n;
            try (PreparedStatement cnt = c.prepareStatement("SELECT count(*) FROM " + schema.table("risky_attempts")
                    + " WHERE principal = ? AND ts > ?")) {
                cnt.setString(1, principal);
                cnt.setTimestamp(2, Timestamp.from(windowStart));
                try (ResultSet rs = cnt.executeQuery()) {
                    rs.next();
                    n = rs.getInt(1);
                }
            }
            c.commit();
            return n;
        }
    }

    public void quarantine(String principal, Instant since, Instant until, String reason) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.table("quarantine")
                     + " (principal, since, until, reason) VALUES (?, ?, ?, ?) ON CONFLICT (principal)"
                     + " DO UPDATE SET since = EXCLUDED.since, until = EXCLUDED.until, reason = EXCLUDED.reason")) {
            ps.setString(1, principal);
            ps.setTimestamp(2, Timestamp.from(since));
            ps.setTimestamp(3, Timestamp.from(until));
            ps.setString(4, reason);
            ps.executeUpdate();
        }
    }
}
