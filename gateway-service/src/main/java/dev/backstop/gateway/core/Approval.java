package dev.backstop.gateway.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A held request. Bound to the SHA-256 of its exact SQL text; sqlText is what will run (it may hold
 * secrets and is never shown), sqlScrubbed is what people see.
 */
public record Approval(
        String id,
        Instant createdAt,
        Instant expiresAt,
        String requestedBy,
        String requestAuditId,
        String sqlText,
        String sqlScrubbed,
        String sqlSha256,
        String policyVersion,
        String risk,
        List<String> reasons,
        JsonNode statements,
        boolean gateRequired,
        List<String> gateTables,
        String requestReason,
        String status,
        String decidedBy,
        Instant decidedAt,
        String decisionComment,
        Instant finishedAt,
        JsonNode result,
        JsonNode error,
        JsonNode gate) {

    public static final String PENDING = "pending";
    public static final String APPROVED = "approved";
    public static final String EXECUTED = "executed";
    public static final String FAILED = "failed";
    /** The connection broke while its COMMIT ran: it may have committed. Terminal: never run again. */
    public static final String OUTCOME_UNKNOWN = "outcome_unknown";
    public static final String BLOCKED = "blocked";
    public static final String DENIED = "denied";
    public static final String EXPIRED = "expired";
    public static final List<String> STATUSES = List.of(PENDING, APPROVED, EXECUTED, FAILED, BLOCKED, DENIED, EXPIRED,
            OUTCOME_UNKNOWN);

    public boolean terminal() {
        return !status.equals(PENDING) && !status.equals(APPROVED);
    }
}
