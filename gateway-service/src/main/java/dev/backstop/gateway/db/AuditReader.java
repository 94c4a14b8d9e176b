package dev.backstop.gateway.db;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.gateway.core.AuditChain;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Reads the audit log and verifies its hash chain. */
public final class AuditReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Result of a chain verification: ok, rows checked, and the first broken row if any. */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Verification(boolean ok, long rows, Long firstBadSeq, String problem) {
    }

    private final DataSource ds;
    private final StateSchema schema;

    public AuditReader(DataSource ds, StateSchema schema) {
        this.ds = ds;
        this.schema = schema;
    }

    public List<Map<String, Object>> list(Instant since, String principal, String outcome, int limit)
            throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT seq, record, completion, row_hash, completion_hash FROM "
                + schema.table("audit") + " WHERE true");
        List<Object> args = new ArrayList<>();
        if (since != null) {
            sql.append(" AND ts >= ?");
            args.add(Timestamp.from(since));
        }
        if (principal != null) {
            sql.append(" AND principal = ?");
            args.add(principal);
        }
        if (outcome != null) {
            sql.append(" AND (outcome = ? OR (outcome IS NULL AND decision = ?))");
            args.add(outcome);
            args.add(outcome);
        }
        sql.append(" ORDER BY seq DESC LIMIT ?");
        args.add(limit);
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("seq", rs.getLong(1));
                    m.put("record", JSON.readTree(rs.getString(2)));
                    String completion = rs.getString(3);
                    m.put("completion", completion == null ? null : JSON.readTree(completion));
                    m.put("row_hash", rs.getString(4));
                    m.put("completion_hash", rs.getString(5));
                    out.add(m);
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("unreadable audit record", e);
        }
        return out;
    }

    public long count() throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema.table("audit"))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The audit ids of an approval's executions: its approve records whose completion says the statement ran or
     * may have (outcome {@code executed} or {@code outcome_unknown}), in chain order.
     */
    public List<String> approvalExecutions(String approvalId) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id FROM " + schema.table("audit")
                     + " WHERE approval_id = ?::uuid AND decision = 'approve'"
                     + " AND outcome IN ('executed', 'outcome_unknown') ORDER BY seq")) {
            ps.setString(1, approvalId);
            List<String> ids = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        }
    }

    /** What an intact request record says: the SQL's hash, who sent it, and the approval it opened. */
    public record RequestRecord(String sqlSha256, String principal, String approvalId) {
    }

    /**
     * One audit record, if it is intact: its row hash matches its text and the previous row's hash, the next row
     * (if any) links to it, and its completion (if any) matches its completion hash. {@code approvalId} is the
     * record's, else its completion's (a request held after its write was rolled back gets the approval id in
     * its completion). Used to bind an approval to the request the agent made: an approvals row rewritten in the
     * state schema does not rewrite the hash chain.
     */
    public java.util.Optional<RequestRecord> intactRequest(String auditId) throws SQLException {
        String sql = "SELECT a.record, a.prev_hash, a.row_hash, n.prev_hash, a.completion, a.completion_hash FROM "
                + schema.table("audit") + " a LEFT JOIN " + schema.table("audit")
                + " n ON n.seq = a.seq + 1 WHERE a.id = ?::uuid";
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, auditId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return java.util.Optional.empty();
                }
                String rowHash = rs.getString(3);
                String next = rs.getString(4);
                String completion = rs.getString(5);
                if (!AuditChain.rowHash(rs.getString(2), rs.getString(1)).equals(rowHash)
                        || (next != null && !next.equals(rowHash))
                        || (completion != null && !AuditChain.completionHash(rowHash, completion).equals(rs.getString(6)))) {
                    return java.util.Optional.empty();
                }
                com.fasterxml.jackson.databind.JsonNode record = JSON.readTree(rs.getString(1));
                String approval = record.path("approval_id").asText(null);
                if (approval == null && completion != null) {
                    approval = JSON.readTree(completion).path("approval_id").asText(null);
                }
                if (!record.path("sql_sha256").isTextual()) {
                    return java.util.Optional.empty();
                }
                return java.util.Optional.of(new RequestRecord(record.path("sql_sha256").asText(),
                        record.path("principal").asText(null), approval));
            } catch (java.io.IOException e) {
                return java.util.Optional.empty();
            }
        }
    }

    /** Walks the whole chain in seq order, streaming. */
    public Verification verify() throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, record, prev_hash, row_hash, completion,"
                    + " completion_hash FROM " + schema.table("audit") + " ORDER BY seq")) {
                ps.setFetchSize(1000);
                String prev = AuditChain.GENESIS;
                long expectedSeq = 1;
                long rows = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long seq = rs.getLong(1);
                        rows++;
                        if (seq != expectedSeq) {
                            return new Verification(false, rows, seq, "gap in seq: expected " + expectedSeq);
                        }
                        if (!prev.equals(rs.getString(3))) {
                            return new Verification(false, rows, seq, "prev_hash does not match the previous row");
                        }
                        String rowHash = AuditChain.rowHash(prev, rs.getString(2));
                        if (!rowHash.equals(rs.getString(4))) {
                            return new Verification(false, rows, seq, "row_hash does not match the record");
                        }
                        String completion = rs.getString(5);
                        String completionHash = rs.getString(6);
                        if ((completion == null) != (completionHash == null) || (completion != null
                                && !AuditChain.completionHash(rowHash, completion).equals(completionHash))) {
                            return new Verification(false, rows, seq, "completion_hash does not match the completion");
                        }
                        prev = rowHash;
                        expectedSeq++;
                    }
                }
                c.commit();
                return new Verification(true, rows, null, null);
            }
        }
    }
}
