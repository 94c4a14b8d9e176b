package dev.backstop.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The restore tool's records in the gateway's audit chain ({@link AuditAppend}): what the tool does to the protected
 * database or to the trust in its recovery points (drills, copyback, quarantine) next to every statement the gateway
 * ran. Principal {@code restore-tool}; the record names the operating-system user too.
 */
final class ToolAudit {
    static final String PRINCIPAL = "restore-tool";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolAudit() {
    }

    /** A record's common fields: {@code event}, {@code id}, {@code ts}, {@code principal}, {@code os_user}. */
    static ObjectNode record(String event, UUID id, Instant ts) {
        ObjectNode record = JSON.createObjectNode();
        record.put("event", event);
        record.put("id", id.toString());
        record.put("ts", ts.toString());
        record.put("principal", PRINCIPAL);
        record.put("os_user", System.getProperty("user.name"));
        return record;
    }

    /** {@code {"completed_at", "outcome"}}. */
    static ObjectNode completion(Instant at, String outcome) {
        ObjectNode completion = JSON.createObjectNode();
        completion.put("completed_at", at.toString());
        completion.put("outcome", outcome);
        return completion;
    }

    /**
     * Appends a complete record (decision {@code decision}); empty when the database has no audit table. Throws when
     * it exists and the record could not be written.
     */
    static Optional<Long> append(Session session, UUID id, Instant ts, String decision, ObjectNode record,
                                 String outcome) throws SQLException {
        if (!databaseConfigured(session)) {
            return Optional.empty();
        }
        Instant now = session.environment().clock().instant();
        return AuditAppend.append(session.db(), session.config().stateSchema(), new AuditAppend.Entry(id, ts, PRINCIPAL,
                decision, record.toString(), now, outcome, completion(now, outcome).toString()));
    }

    /** Whether the configuration names a database (commands that work on S3 alone may run without one). */
    static boolean databaseConfigured(Session session) {
        return session.config().jdbcUrl() != null && !session.config().jdbcUrl().isBlank();
    }

    /** What is said when there is no audit to record in. */
    static String notRecorded(Session session) {
        return databaseConfigured(session)
                ? "this database has no audit table " + session.config().stateSchema() + ".audit (no gateway state schema)"
                : "no database is configured (database.url), so no audit table";
    }
}
