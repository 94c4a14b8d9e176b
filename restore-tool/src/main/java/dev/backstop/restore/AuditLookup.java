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

    /**
     * The audit id of an approval's execution, as its row names it or, if it does not, as the audit chain
     * ({@code recorded}, may be null) does; refused (with {@code subject}) if neither does.
     */
    private static UUID execution(String subject, ApprovalRow a, RecordedExecution recorded) {
        String execution = a.execution();
        if (execution == null) {
            if (recorded != null) {
                return recorded.id();
            }
            throw new CheckFailedException(subject + " but neither the approval nor the audit chain names its"
                    + " execution's audit record: restore with --lsn or --at instead (it cannot have committed before"
                    + " it was approved, at " + a.decidedAt() + ")");
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

    /** The approvals row of a request, as far as following it needs. */
    private record ApprovalRow(String id, String status, String decidedBy, String decidedAt, String expiresAt,
                               String execution, String errorCode) {
    }

    /** An approve record of the audit chain whose completion says its statement ran, or may have. */
    private record RecordedExecution(UUID id, String outcome) {
    }

    /** The audit id of the execution of the approval requested in audit record {@code request}; else refused. */
    private static UUID followApproval(Connection c, String stateSchema, UUID request, PrintWriter notes) {
        String approvals = stateSchema + ".approvals";
        ApprovalRow a;
        RecordedExecution recorded;
        try {
            a = approvalOf(c, stateSchema, request);
            recorded = executionInAudit(c, stateSchema, request, a.id());
        } catch (SQLException e) {
            throw new DatabaseException("cannot read the approval of audit record " + request + " from " + approvals
                    + ": " + e.getMessage(), e);
        }
        String subject = "audit record " + request + " is an agent's request that went to approval; approval " + a.id()
                + " is " + a.status();
        String nothing = ": nothing ran, so there is nothing to restore before";
        String approved = "approved by " + a.decidedBy() + " at " + a.decidedAt();
        String unknown = " (" + approved + "; the connection broke while its COMMIT ran, or the gateway running it"
                + " stopped, so it may have committed)";
        boolean legacyUnknown = "failed".equals(a.status()) && "outcome_unknown".equals(a.errorCode());
        String kind;
        UUID exec;
        switch (legacyUnknown ? "outcome_unknown" : a.status()) {
            case "executed" -> {
                exec = execution(subject, a, recorded);
                kind = "executed, " + approved;
            }
            case "outcome_unknown" -> {
                // Gateways before outcome_unknown was a status of its own recorded it as failed, without the id.
                exec = execution(subject + unknown, a, recorded);
                kind = "outcome unknown, " + approved + "; it may have committed";
            }
            case "approved" -> {
                if (recorded == null) {
                    throw new CheckFailedException(subject + " (" + approved + ") but its execution has not finished"
                            + " or its outcome is not recorded: check GET /v1/approvals/" + a.id() + " and retry;"
                            + " nothing is restored on a guess. If the gateway stopped while running it (alert"
                            + " BackstopApprovalOutcomeNotRecorded), nothing it changed committed before the approval:"
                            + " restore with --at a time a little before " + a.decidedAt() + " (docs/operations.md"
                            + " \"approval-outcome-not-recorded\")");
                }
                // Its status was never updated (the gateway stopped right after), but the audit chain has the outcome.
                exec = recorded.id();
                kind = "still 'approved' in " + approvals + ", but its execution's audit record has outcome "
                        + recorded.outcome() + ", " + approved;
            }
            case "failed" -> throw new CheckFailedException(subject + " (approved by " + a.decidedBy()
                    + "; PostgreSQL refused the statement and its transaction was rolled back)" + nothing);
            case "pending" -> throw new CheckFailedException(subject + " (waiting for an operator, expires at "
                    + a.expiresAt() + ")" + nothing);
            case "denied" -> throw new CheckFailedException(subject + " (denied by " + a.decidedBy() + " at "
                    + a.decidedAt() + ")" + nothing);
            case "expired" -> throw new CheckFailedException(subject + " (no operator decided before "
                    + a.expiresAt() + ")" + nothing);
            case "blocked" -> throw new CheckFailedException(subject + " (approved by " + a.decidedBy()
                    + ", then refused by the policy or the recovery gate at execution)" + nothing);
            default -> throw new CheckFailedException(subject + ", a state this tool does not know: "
                    + "restore with --lsn or --at instead");
        }
        notes.println("Following approval " + a.id() + " (" + kind + "): restoring before audit record " + exec
                + " (its execution), not " + request + " (the request, which ran nothing)");
        notes.flush();
        return exec;
    }

    private static ApprovalRow approvalOf(Connection c, String stateSchema, UUID request) throws SQLException {
        String approvals = stateSchema + ".approvals";
        try (PreparedStatement ps = c.prepareStatement("SELECT id, status, decided_by, decided_at, expires_at,"
                + " coalesce(result ->> 'audit_id', error ->> 'audit_id'), error ->> 'code' FROM "
                + Sql.qualified(stateSchema, "approvals") + " WHERE request_audit_id = ? ORDER BY created_at")) {
            ps.setObject(1, request);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new CheckFailedException("audit record " + request + " is a request that went to approval, "
                            + "but no approval in " + approvals + " has request_audit_id " + request
                            + ": nothing to follow; restore with --lsn or --at instead");
                }
                ApprovalRow a = new ApprovalRow(rs.getString(1), rs.getString(2), rs.getString(3), time(rs, 4),
                        time(rs, 5), rs.getString(6), rs.getString(7));
                if (rs.next()) {
                    throw new CheckFailedException("audit record " + request + " is the request of more than one "
                            + "approval in " + approvals + ": restore with the audit id of the execution instead");
                }
                return a;
            }
        }
    }

    /**
     * The approval's execution as the audit chain records it: its approve record whose completion says the statement
     * ran or may have ({@code executed}, {@code outcome_unknown}); null if there is none. Only the operator whose
     * claim won executes, so there is at most one (other approve attempts end with an error).
     */
    private static RecordedExecution executionInAudit(Connection c, String stateSchema, UUID request, String approval)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, outcome FROM " + Sql.qualified(stateSchema, "audit")
                + " WHERE approval_id = ?::uuid AND decision = 'approve' AND outcome IN ('executed', 'outcome_unknown')"
                + " ORDER BY seq")) {
            ps.setString(1, approval);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                RecordedExecution r = new RecordedExecution(rs.getObject(1, UUID.class), rs.getString(2));
                if (rs.next()) {
                    throw new CheckFailedException("audit record " + request + ": approval " + approval + " has more "
                            + "than one execution in the audit chain: restore with --lsn or --at instead");
                }
                return r;
            }
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
