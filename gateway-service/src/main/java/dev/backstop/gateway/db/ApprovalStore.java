package dev.backstop.gateway.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.gateway.core.Approval;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Approvals in the state schema. Every state change is a conditional UPDATE on the current status,
 * so two concurrent approvals of one request cannot both win.
 */
public final class ApprovalStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, created_at, expires_at, requested_by, request_audit_id, sql_text,"
            + " sql_scrubbed, sql_sha256, policy_version, risk, reasons, statements, gate_required, gate_tables,"
            + " request_reason, status, decided_by, decided_at, decision_comment, finished_at, result, error, gate";

    private final DataSource ds;
    private final StateSchema schema;

    public ApprovalStore(DataSource ds, StateSchema schema) {
        this.ds = ds;
        this.schema = schema;
    }

    public void insert(Approval a) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.table("approvals") + " (" + COLUMNS
                     + ") VALUES (?,?,?,?,?,?,?,?,?,?,CAST(? AS jsonb),CAST(? AS jsonb),?,CAST(? AS jsonb),?,?,?,?,?,?,"
                     + "CAST(? AS jsonb),CAST(? AS jsonb),CAST(? AS jsonb))")) {
            ps.setObject(1, UUID.fromString(a.id()));
            ps.setTimestamp(2, ts(a.createdAt()));
            ps.setTimestamp(3, ts(a.expiresAt()));
            ps.setString(4, a.requestedBy());
            ps.setObject(5, a.requestAuditId() == null ? null : UUID.fromString(a.requestAuditId()));
            ps.setString(6, a.sqlText());
            ps.setString(7, a.sqlScrubbed());
            ps.setString(8, a.sqlSha256());
            ps.setString(9, a.policyVersion());
            ps.setString(10, a.risk());
            ps.setString(11, json(a.reasons()));
            ps.setString(12, json(a.statements()));
            ps.setBoolean(13, a.gateRequired());
            ps.setString(14, json(a.gateTables()));
            ps.setString(15, a.requestReason());
            ps.setString(16, a.status());
            ps.setString(17, a.decidedBy());
            ps.setTimestamp(18, ts(a.decidedAt()));
            ps.setString(19, a.decisionComment());
            ps.setTimestamp(20, ts(a.finishedAt()));
            ps.setString(21, json(a.result()));
            ps.setString(22, json(a.error()));
            ps.setString(23, json(a.gate()));
            ps.executeUpdate();
        }
    }

    public Optional<Approval> find(String id) throws SQLException {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM " + schema.table("approvals")
                     + " WHERE id = ?")) {
            ps.setObject(1, uuid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    public List<Approval> list(String status, int limit) throws SQLException {
        String where = status == null ? "" : " WHERE status = ?";
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM " + schema.table("approvals")
                     + where + " ORDER BY created_at DESC, id LIMIT ?")) {
            int i = 1;
            if (status != null) {
                ps.setString(i++, status);
            }
            ps.setInt(i, limit);
            List<Approval> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    public long countPending(Instant now) throws SQLException {
        return count("status = 'pending' AND expires_at > ?", now);
    }

    /**
     * Approvals an operator approved before {@code cutoff} whose outcome was never recorded: the gateway that ran
     * them stopped (or lost the state database) between taking the approval and recording how it ended.
     */
    public long countOutcomeNotRecorded(Instant cutoff) throws SQLException {
        return count("status = 'approved' AND decided_at < ?", cutoff);
    }

    /** Approvals matching a condition of ours (never input) with one time parameter. */
    private long count(String where, Instant at) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + schema.table("approvals")
                     + " WHERE " + where)) {
            ps.setTimestamp(1, ts(at));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** pending -> approved, only if still pending and not expired. True for exactly one caller. */
    public boolean claim(String id, String approver, String comment, Instant now) throws SQLException {
        return update("UPDATE " + schema.table("approvals") + " SET status = 'approved', decided_by = ?,"
                + " decided_at = ?, decision_comment = ? WHERE id = ? AND status = 'pending' AND expires_at > ?",
                approver, now, comment, id, now);
    }

    /** pending -> denied. */
    public boolean deny(String id, String by, String comment, Instant now) throws SQLException {
        return update("UPDATE " + schema.table("approvals") + " SET status = 'denied', decided_by = ?,"
                + " decided_at = ?, decision_comment = ? WHERE id = ? AND status = 'pending' AND expires_at > ?",
                by, now, comment, id, now);
    }

    /** pending -> expired once expires_at has passed. Returns the ids expired now. */
    public List<String> expireDue(Instant now) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE " + schema.table("approvals")
                     + " SET status = 'expired', finished_at = ? WHERE status = 'pending' AND expires_at <= ?"
                     + " RETURNING id")) {
            ps.setTimestamp(1, ts(now));
            ps.setTimestamp(2, ts(now));
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        }
    }

    /**
     * approved -> outcome_unknown, only if still approved and approved before {@code cutoff}: what an operator
     * records for an approval whose gateway stopped while running it. True for exactly one caller.
     */
    public boolean settleUnknown(String id, JsonNode error, Instant cutoff, Instant now) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE " + schema.table("approvals")
                     + " SET status = 'outcome_unknown', error = CAST(? AS jsonb), finished_at = ?"
                     + " WHERE id = ? AND status = 'approved' AND decided_at < ?")) {
            ps.setString(1, json(error));
            ps.setTimestamp(2, ts(now));
            ps.setObject(3, UUID.fromString(id));
            ps.setTimestamp(4, ts(cutoff));
            return ps.executeUpdate() == 1;
        }
    }

    /** approved -> executed | failed | blocked, with the result, error or gate checks. */
    public boolean finish(String id, String status, JsonNode result, JsonNode error, JsonNode gate, Instant now)
            throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE " + schema.table("approvals")
                     + " SET status = ?, result = CAST(? AS jsonb), error = CAST(? AS jsonb), gate = CAST(? AS jsonb),"
                     + " finished_at = ? WHERE id = ? AND status = 'approved'")) {
            ps.setString(1, status);
            ps.setString(2, json(result));
            ps.setString(3, json(error));
            ps.setString(4, json(gate));
            ps.setTimestamp(5, ts(now));
            ps.setObject(6, UUID.fromString(id));
            return ps.executeUpdate() == 1;
        }
    }

    private boolean update(String sql, String who, Instant at, String comment, String id, Instant now)
            throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, who);
            ps.setTimestamp(2, ts(at));
            ps.setString(3, comment);
            ps.setObject(4, UUID.fromString(id));
            ps.setTimestamp(5, ts(now));
            return ps.executeUpdate() == 1;
        }
    }

    private static Approval read(ResultSet rs) throws SQLException {
        return new Approval(rs.getString(1), instant(rs.getTimestamp(2)), instant(rs.getTimestamp(3)),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                rs.getString(10), strings(rs.getString(11)), node(rs.getString(12)), rs.getBoolean(13),
                strings(rs.getString(14)), rs.getString(15), rs.getString(16), rs.getString(17),
                instant(rs.getTimestamp(18)), rs.getString(19), instant(rs.getTimestamp(20)), node(rs.getString(21)),
                node(rs.getString(22)), node(rs.getString(23)));
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static String json(Object o) {
        if (o == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode node(String s) throws SQLException {
        if (s == null) {
            return null;
        }
        try {
            return JSON.readTree(s);
        } catch (JsonProcessingException e) {
            throw new SQLException("bad json in approvals row", e);
        }
    }

    private static List<String> strings(String s) throws SQLException {
        if (s == null) {
            return List.of();
        }
        try {
            return JSON.readValue(s, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new SQLException("bad json in approvals row", e);
        }
    }
}
