package dev.backstop.restore;

import dev.backstop.snapshot.Sha256;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Appends one complete record to the gateway's hash-chained audit table ({@code {stateSchema}.audit}) as another
 * writer of the same chain, following the chain's contract (docs/api.md "Audit"): {@code row_hash = sha256(prev_hash
 * || '\n' || record)}, {@code completion_hash = sha256(row_hash || '\n' || completion)} (UTF-8, hex), the first
 * row's {@code prev_hash} 64 zeros, and writers take turns under the transaction-level advisory lock
 * {@link #CHAIN_LOCK}. A gateway that has not taken that lock yet can extend the same head at the same moment: the
 * unique {@code prev_hash} index makes one of the two fail, and this side retries from the new head.
 */
final class AuditAppend {
    /** The chain's advisory lock key, the gateway's {@code AuditWriter.CHAIN_LOCK} ("backstop" in ASCII). */
    static final long CHAIN_LOCK = 0x6261636b73746f70L;
    private static final String GENESIS = "0".repeat(64);
    private static final int ATTEMPTS = 10;

    /**
     * What to write: {@code record} and {@code completion} are the exact JSON texts hashed into the chain;
     * {@code completion} (with {@code completedAt} and {@code outcome}) null writes a record that is completed later
     * ({@link #complete}), as the gateway does for what it is about to execute.
     */
    record Entry(UUID id, Instant ts, String principal, String decision, String record, Instant completedAt,
                 String outcome, String completion) {
    }

    private AuditAppend() {
    }

    /**
     * Appends {@code e}; empty when this database has no audit table (no gateway state schema: nothing to append
     * to), else its sequence number. Throws when the table exists but the record could not be written.
     */
    static Optional<Long> append(Connection c, String stateSchema, Entry e) throws SQLException {
        String table = Sql.qualified(stateSchema, "audit");
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return Optional.empty();
                }
            }
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    long seq = appendOnce(c, table, e);
                    c.commit();
                    return Optional.of(seq);
                } catch (SQLException ex) {
                    c.rollback();
                    // 23505: another writer extended the same head first (unique prev_hash or seq).
                    if (!"23505".equals(ex.getSQLState()) || attempt == ATTEMPTS) {
                        throw ex;
                    }
                }
            }
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static long appendOnce(Connection c, String table, Entry e) throws SQLException {
        try (Statement lock = c.createStatement()) {
            lock.execute("SELECT pg_advisory_xact_lock(" + CHAIN_LOCK + ")"); // a constant, no input
        }
        long seq = 0;
        String prev = GENESIS;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT seq, row_hash FROM " + table + " ORDER BY seq DESC LIMIT 1")) {
            if (rs.next()) {
                seq = rs.getLong(1);
                prev = rs.getString(2);
            }
        }
        String rowHash = sha256Hex(prev + "\n" + e.record());
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + table
                + " (seq, id, ts, principal, decision, risk, approval_id, record, prev_hash, row_hash,"
                + " completed_at, outcome, completion, completion_hash) VALUES (?,?,?,?,?,NULL,NULL,?,?,?,?,?,?,?)")) {
            ins.setLong(1, seq + 1);
            ins.setObject(2, e.id());
            ins.setTimestamp(3, Timestamp.from(e.ts()));
            ins.setString(4, e.principal());
            ins.setString(5, e.decision());
            ins.setString(6, e.record());
            ins.setString(7, prev);
            ins.setString(8, rowHash);
            boolean complete = e.completion() != null;
            ins.setTimestamp(9, complete ? Timestamp.from(e.completedAt()) : null);
            ins.setString(10, complete ? e.outcome() : null);
            ins.setString(11, e.completion());
            ins.setString(12, complete ? sha256Hex(rowHash + "\n" + e.completion()) : null);
            ins.executeUpdate();
        }
        return seq + 1;
    }

    /**
     * Adds the completion to record {@code id} (written without one), once: {@code completion_hash} is computed by
     * PostgreSQL from the stored {@code row_hash}, by the chain's formula. False if the record has a completion already
     * or does not exist.
     */
    static boolean complete(Connection c, String stateSchema, UUID id, Instant completedAt, String outcome,
                            String completion) throws SQLException {
        try (PreparedStatement up = c.prepareStatement("UPDATE " + Sql.qualified(stateSchema, "audit")
                + " SET completed_at = ?, outcome = ?, completion = ?,"
                + " completion_hash = encode(sha256(convert_to(row_hash || chr(10) || ?, 'UTF8')), 'hex')"
                + " WHERE id = ? AND completion IS NULL")) {
            up.setTimestamp(1, Timestamp.from(completedAt));
            up.setString(2, outcome);
            up.setString(3, completion);
            up.setString(4, completion);
            up.setObject(5, id);
            return up.executeUpdate() == 1;
        }
    }

    private static String sha256Hex(String text) {
        return Sha256.hex(text.getBytes(StandardCharsets.UTF_8));
    }
}
