package dev.backstop.gateway.core;

import java.util.Locale;

/**
 * Every error the gateway reports, with its HTTP status. The lower-case {@link #code()} is a stable
 * contract used in HTTP bodies, audit rows, alerts and metric labels: never rename one.
 */
public enum ErrorCode {
    MALFORMED_JSON(400, "The request body is not valid JSON for this endpoint."),
    INVALID_PARAMETER(400, "A parameter has an invalid value."),
    QUERY_FAILED(400, "PostgreSQL refused the statement; the transaction was rolled back and nothing was committed."),
    UNAUTHORIZED(401, "Missing or unknown token."),
    FORBIDDEN(403, "The principal's role or scopes do not allow this."),
    SELF_APPROVAL_FORBIDDEN(403, "Nobody may approve or deny their own request."),
    NOT_FOUND(404, "No such endpoint."),
    APPROVAL_NOT_FOUND(404, "No approval with this id."),
    METHOD_NOT_ALLOWED(405, "Method not allowed on this endpoint."),
    NOT_ACCEPTABLE(406, "The requested media type is not available."),
    APPROVAL_NOT_PENDING(409, "The approval is no longer pending."),
    APPROVAL_EXPIRED(409, "The approval expired; the agent must send the request again."),
    APPROVAL_NOT_OVERDUE(409, "The approval was approved too recently to be settled: its execution may still be running."),
    BYPASS_STILL_LIVE(409, "A bypass connection was seen within the last 60 seconds (even if it has ended since);"
            + " stop it, then clear the posture 60 s after its last_seen_at (GET /v1/posture)."),
    PAYLOAD_TOO_LARGE(413, "The request body is larger than gateway.maxRequestBytes."),
    UNSUPPORTED_MEDIA_TYPE(415, "Send JSON (Content-Type: application/json)."),
    MISSING_SQL(422, "The request has no sql field."),
    INVALID_REQUEST(422, "The request is well-formed JSON but a field is invalid."),
    STATEMENT_BOUNDARY_MISMATCH(422,
            "The JDBC driver or PostgreSQL would split a statement differently from the classifier; nothing was executed."),
    HIDDEN_SCHEMA_CHANGE(422, "A statement changed the schema or emptied a table it does not name (through a function"
            + " or trigger); the request was rolled back and nothing was committed."),
    SEARCH_PATH_CHANGED(422,
            "A statement changed search_path for the statements after it; the request was rolled back and nothing was committed."),
    SESSION_STATE_REFUSED(422, "Session-level SET is refused; use SET LOCAL (it lasts for this request's transaction)."),
    TOO_MANY_REQUESTS(429, "Too many concurrent requests for this principal."),
    INTERNAL_ERROR(500, "Internal error; nothing was executed unless the response says so."),
    OUTCOME_UNKNOWN(500, "The connection was lost while committing: the outcome is unknown. Check the database before retrying."),
    AUDIT_UNAVAILABLE(503, "The audit log cannot be written; nothing was executed."),
    DATABASE_UNAVAILABLE(503, "The target database is unavailable; nothing was executed."),
    SNAPSHOT_STORE_UNAVAILABLE(503, "The snapshot store is not available.");

    private final int httpStatus;
    private final String defaultMessage;

    ErrorCode(int httpStatus, String defaultMessage) {
        this.httpStatus = httpStatus;
        this.defaultMessage = defaultMessage;
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String defaultMessage() {
        return defaultMessage;
    }
}
