package dev.backstop.alerts;

import java.util.Locale;

/**
 * Every event design.md "Alerts" names, with its default severity and the default next step for an
 * operator. The wire name (lower-case, e.g. {@code bypass_detected}) is a contract: receivers route on it.
 */
public enum AlertEvent {
    APPROVAL_REQUESTED(Severity.INFO,
            "Review the request with GET /v1/approvals/{id}, then approve or deny it."),
    APPROVAL_DENIED(Severity.INFO,
            "Nothing to do: the statement was not executed."),
    APPROVAL_EXPIRED(Severity.WARNING,
            "The statement was not executed; the agent must resubmit it if it is still needed."),
    /** A DROP DATABASE / DROP SCHEMA (or another block_operations entry) was refused. */
    DANGEROUS_OPERATION_BLOCKED(Severity.CRITICAL,
            "Find out why the agent attempted it (GET /v1/audit); consider POST /v1/admin/pause."),
    RECOVERY_GATE_FAILED(Severity.WARNING,
            "Check the sidecar heartbeat and snapshot freshness (GET /v1/snapshots); the operation stays "
                    + "blocked until a verified recovery point exists."),
    BYPASS_DETECTED(Severity.CRITICAL,
            "Terminate the session if it is not expected (pg_terminate_backend), rotate the role's password, "
                    + "remove LOGIN from agent roles, then clear the posture with POST /v1/posture/clear."),
    /** A table was dropped through the gateway; details carry its latest recovery point. */
    TABLE_DROPPED(Severity.WARNING,
            "If the drop was a mistake, restore the table from the recovery point named in the details "
                    + "(backstop restore restore TABLE --before-audit ID)."),
    SNAPSHOT_FAILURE(Severity.CRITICAL,
            "Check the sidecar logs; CRITICAL operations on the affected tables are blocked until a fresh, "
                    + "verified snapshot exists."),
    S3_FAILURE(Severity.CRITICAL,
            "Check the S3 endpoint, bucket and credentials; recovery gates fail closed while S3 is unreachable."),
    AGENT_QUARANTINED(Severity.WARNING,
            "Review the agent's blocked attempts (GET /v1/audit?principal=...); the quarantine ends by itself."),
    PAUSED(Severity.WARNING,
            "Queries are refused by the emergency pause; resume with POST /v1/admin/resume when it is safe."),
    RESUMED(Severity.INFO,
            "Nothing to do: queries flow again."),
    DRILL_FAILED(Severity.CRITICAL,
            "A recovery drill failed: run backstop restore verify --all and check the sidecar."),
    POSTURE_DEGRADED(Severity.CRITICAL,
            "See GET /v1/posture for the reasons; agents may be reaching PostgreSQL around the gateway."),
    POSTURE_CLEARED(Severity.INFO,
            "Nothing to do: the posture is protected again."),
    /** The connection broke while a statement's COMMIT ran: it may have committed (details: audit_id). */
    STATEMENT_OUTCOME_UNKNOWN(Severity.CRITICAL,
            "Check the table before the statement is sent again: it may have committed. If it must be undone, "
                    + "restore with backstop restore restore TABLE --before-audit AUDIT_ID.");

    private final Severity defaultSeverity;
    private final String defaultAction;

    AlertEvent(Severity defaultSeverity, String defaultAction) {
        this.defaultSeverity = defaultSeverity;
        this.defaultAction = defaultAction;
    }

    public Severity defaultSeverity() {
        return defaultSeverity;
    }

    public String defaultRecommendedAction() {
        return defaultAction;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The event with this wire name; throws IllegalArgumentException for an unknown one. */
    public static AlertEvent fromWireName(String wireName) {
        for (AlertEvent e : values()) {
            if (e.wireName().equals(wireName)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown alert event: " + wireName);
    }
}
