package dev.backstop.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.TableRef;
import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Reads a gateway audit row ({@code {stateSchema}.audit}) and turns it into a restore target: "just before this
 * statement", i.e. every transaction that committed strictly before the statement's own commit LSN
 * ({@code commit_lsn - 1}). The completion JSON carries {@code commit_lsn} (also accepted: {@code commitLsn}) and
 * optionally the recovery points the gate flushed, {@code recovery_points: [{table, manifest_key, covered_lsn}]}
 * (or a single {@code recovery_point: {manifest_key}}), of which the one of the restored table is suggested.
 *
 * <p>An agent's request that went to approval ({@code outcome approval_required}) ran nothing itself: the statement
 * ran, if at all, when an operator approved it, under the audit record of that approval. That id is what the agent
 * has, so the link is followed: the approval whose {@code request_audit_id} is the request's
 * ({@code {stateSchema}.approvals}), and if it was executed, or its outcome is unknown (the connection broke during its
 * COMMIT: it may have committed), the audit record of its execution. Any other state of the approval (pending,
 * approved but not finished, denied, expired, blocked, failed) means nothing committed: refused, naming the approval
 * and its state. Never a guessed LSN.
 */
final class AuditLookup {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditLookup() {
    }

    /**
     * @param table the table being restored (picks its recovery point from the audit's), or null
     * @param notes where the one line saying which record was followed goes
     */
    static RestoreTarget beforeAudit(Connection c, String stateSchema, String auditId, TableRef table,
                                     PrintWriter notes) {
        UUID id;
        try {
            id = UUID.fromString(auditId.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--before-audit needs an audit id (a UUID), got '" + auditId + "'");
        }
        JsonNode n = completion(c, stateSchema, id);
        String outcome = text(n, "outcome", "outcome");
        if (text(n, "commit_lsn", "commitLsn") == null && "approval_required".equals(outcome)) {
            UUID execution = followApproval(c, stateSchema, id, notes);
            RestoreTarget t = target(execution, completion(c, stateSchema, execution), table);
            return new RestoreTarget(t.lsn(), t.description() + ", the approved execution of request " + id,
                    t.manifestKey());
        }
        return target(id, n, table);
    }

    private static RestoreTarget target(UUID id, JsonNode n, TableRef table) {
        String commit = text(n, "commit_lsn", "commitLsn");
        if (commit == null) {
            String outcome = text(n, "outcome", "outcome");
            if ("blocked".equals(outcome) || "denied".equals(outcome)) {
                throw new CheckFailedException("audit record " + id + " has outcome " + outcome + ": the statement did "
                        + "not run, so there is nothing to restore before");
            }
            throw new CheckFailedException("audit record " + id + " has no commit_lsn in its completion (outcome "
                    + outcome + "): restore with --lsn or --at instead");
        }
        Lsn commitLsn;
        try {
            commitLsn = Lsn.parse(commit);
        } catch (IllegalArgumentException e) {
            throw new CheckFailedException("audit record " + id + ": commit_lsn " + e.getMessage());
        }
        if (commitLsn.value() <= 0) {
            throw new CheckFailedException("audit record " + id + " has commit_lsn 0/0");
        }
        return new RestoreTarget(Lsn.of(commitLsn.value() - 1),
                "just before audit " + id + " (commit LSN " + commitLsn + ")", manifestKey(n, table));
    }

    /** The recovery point of {@code table} the audit names, if any (a suggestion: the restore checks it serves). */
    private static String manifestKey(JsonNode n, TableRef table) {
        JsonNode points = n.has("recovery_points") ? n.get("recovery_points") : n.path("recoveryPoints");
        if (table != null && points.isArray()) {
            for (JsonNode p : points) {
                if (table.qualifiedName().equals(text(p, "table", "table"))) {
                    return text(p, "manifest_key", "manifestKey");
                }
            }
        }
        JsonNode rp = n.has("recovery_point") ? n.get("recovery_point") : n.path("recoveryPoint");
        return text(rp, "manifest_key", "manifestKey");
    }

    /** The audit id of an approval's execution, as its row names it; refused (with {@code subject}) if it does not. */
    private static UUID execution(String subject, String execution) {
        if (execution == null) {
            throw new CheckFailedException(subject + " but it names no execution audit record: restore with --lsn or"
                    + " --at instead");
        }
        try {
            return UUID.fromString(execution);
        } catch (IllegalArgumentException e) {
            throw new CheckFailedException(subject + " but its execution's audit_id '" + execution
                    + "' is not an audit id: restore with --lsn or --at instead");
        }
    }

    /** The completion of audit record {@code id}, parsed; refused if the row or its completion is missing. */
    private static JsonNode completion(Connection c, String stateSchema, UUID id) {
        String completion;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT completion FROM " + Sql.qualified(stateSchema, "audit") + " WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new CheckFailedException("no audit record " + id + " in " + stateSchema + ".audit");
                }
                completion = rs.getString(1);
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot read audit record " + id + ": " + e.getMessage(), e);
        }
        if (completion == null) {
            throw new CheckFailedException("audit record " + id + " has no completion yet (the statement has not "
                    + "finished, or its outcome is unknown): no commit LSN to restore before");
        }
        try {
            return JSON.readTree(completion);
        } catch (IOException e) {
            throw new CheckFailedException("audit record " + id + " has a completion that is not JSON");
        }
    }

    /** The audit id of the execution of the approval requested in audit record {@code request}; else refused. */
    private static UUID followApproval(Connection c, String stateSchema, UUID request, PrintWriter notes) {
        String approvals = stateSchema + ".approvals";
        try (PreparedStatement ps = c.prepareStatement("SELECT id, status, decided_by, decided_at, expires_at,"
                + " finished_at, coalesce(result ->> 'audit_id', error ->> 'audit_id'), error ->> 'code' FROM "
                + Sql.qualified(stateSchema, "approvals")
                + " WHERE request_audit_id = ? ORDER BY created_at")) {
            ps.setObject(1, request);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new CheckFailedException("audit record " + request + " is a request that went to approval, "
                            + "but no approval in " + approvals + " has request_audit_id " + request
                            + ": nothing to follow; restore with --lsn or --at instead");
                }
                String approval = rs.getString(1);
                String status = rs.getString(2);
                String decidedBy = rs.getString(3);
                String decidedAt = time(rs, 4);
                String expiresAt = time(rs, 5);
                String execution = rs.getString(7);
                String errorCode = rs.getString(8);
                if (rs.next()) {
                    throw new CheckFailedException("audit record " + request + " is the request of more than one "
                            + "approval in " + approvals + ": restore with the audit id of the execution instead");
                }
                String subject = "audit record " + request + " is an agent's request that went to approval; approval "
                        + approval + " is " + status;
                String nothing = ": nothing ran, so there is nothing to restore before";
                String unknown = " (approved by " + decidedBy + " at " + decidedAt + "; the connection broke while "
                        + "its COMMIT ran, so it may have committed)";
                switch (status) {
                    case "executed" -> {
                        UUID exec = execution(subject, execution);
                        notes.println("Following approval " + approval + " (executed, approved by " + decidedBy
                                + " at " + decidedAt + "): restoring before audit record " + exec
                                + " (its execution), not " + request + " (the request, which ran nothing)");
                        notes.flush();
                        return exec;
                    }
                    case "outcome_unknown" -> {
                        UUID exec = execution(subject + unknown, execution);
                        notes.println("Following approval " + approval + " (outcome unknown, approved by " + decidedBy
                                + " at " + decidedAt + "): it may have committed; restoring before audit record " + exec
                                + " (its execution), which is right whether it committed or not");
                        notes.flush();
                        return exec;
                    }
                    case "failed" -> {
                        if ("outcome_unknown".equals(errorCode)) {
                            // Recorded as failed by gateways before outcome_unknown was a status of its own.
                            throw new CheckFailedException(subject + unknown + ", and the approval does not name its "
                                    + "execution's audit record: find the operator's approve record (GET /v1/audit?"
                                    + "principal=" + decidedBy + ") and restore with --before-audit <its id>, or with "
                                    + "--lsn or --at");
                        }
                        throw new CheckFailedException(subject + " (approved by " + decidedBy
                                + "; PostgreSQL refused the statement and its transaction was rolled back)" + nothing);
                    }
                    case "pending" -> throw new CheckFailedException(subject + " (waiting for an operator, expires at "
                            + expiresAt + ")" + nothing);
                    case "approved" -> throw new CheckFailedException(subject + " (approved by " + decidedBy + " at "
                            + decidedAt + ") but its execution has not finished or its outcome is not recorded: "
                            + "check GET /v1/approvals/" + approval + " and retry; nothing is restored on a guess");
                    case "denied" -> throw new CheckFailedException(subject + " (denied by " + decidedBy + " at "
                            + decidedAt + ")" + nothing);
                    case "expired" -> throw new CheckFailedException(subject + " (no operator decided before "
                            + expiresAt + ")" + nothing);
                    case "blocked" -> throw new CheckFailedException(subject + " (approved by " + decidedBy
                            + ", then refused by the policy or the recovery gate at execution)" + nothing);
                    default -> throw new CheckFailedException(subject + ", a state this tool does not know: "
                            + "restore with --lsn or --at instead");
                }
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot read the approval of audit record " + request + " from " + approvals
                    + ": " + e.getMessage(), e);
        }
    }

    private static String time(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? "?" : t.toInstant().toString();
    }

    private static String text(JsonNode n, String a, String b) {
        if (n == null) {
            return null;
        }
        JsonNode v = n.has(a) ? n.get(a) : n.get(b);
        return v == null || v.isNull() ? null : v.asText();
    }
}
