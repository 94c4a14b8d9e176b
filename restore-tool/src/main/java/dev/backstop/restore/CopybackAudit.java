package dev.backstop.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backstop.snapshot.TableRef;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The audit record of {@code copyback --apply}, an operator's write to a live table made outside the gateway: written
 * (and committed) before the script runs, as the gateway audits before it executes, and completed with what ran. A
 * database with the gateway's state schema gets no copyback without its record; one without it gets the copyback and
 * a note that it was not recorded.
 */
final class CopybackAudit {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Session session;
    private final UUID id;
    private final String note;

    private CopybackAudit(Session session, UUID id, String note) {
        this.session = session;
        this.id = id;
        this.note = note;
    }

    /** Writes the record of the copyback about to run; refuses the copyback if the record cannot be written. */
    static CopybackAudit begin(Session session, TableRef table, String recovered, String mode) {
        UUID id = UUID.randomUUID();
        Instant now = session.environment().clock().instant();
        ObjectNode record = JSON.createObjectNode();
        record.put("event", "copyback");
        record.put("id", id.toString());
        record.put("ts", now.toString());
        record.put("principal", "restore-tool");
        record.put("os_user", System.getProperty("user.name"));
        record.put("table", table.qualifiedName());
        record.put("recovered", recovered);
        record.put("mode", mode);
        String schema = session.config().stateSchema();
        try {
            Optional<Long> seq = AuditAppend.append(session.db(), schema, new AuditAppend.Entry(id, now, "restore-tool",
                    "copyback", record.toString(), null, null, null));
            return seq.isPresent() ? new CopybackAudit(session, id, null)
                    : new CopybackAudit(session, null, "Not recorded in the audit: this database has no audit table "
                            + schema + ".audit (no gateway state schema).");
        } catch (SQLException | RuntimeException e) {
            throw new CheckFailedException("the audit record of this copyback could not be written, so nothing was "
                    + "applied: " + e.getMessage());
        }
    }

    /**
     * Completes the record: {@code outcome} applied (with the script that ran), aborted (a count differed) or error.
     * The copyback has committed or rolled back by now, so a completion that cannot be written is only reported.
     */
    void end(String outcome, Copyback.Script script, String error) {
        if (id == null) {
            return;
        }
        Instant now = session.environment().clock().instant();
        ObjectNode completion = JSON.createObjectNode();
        completion.put("completed_at", now.toString());
        completion.put("outcome", outcome);
        if (script != null) {
            completion.put("summary", script.summary());
            script.statements().forEach(completion.putArray("statements")::add);
        }
        if (error != null) {
            completion.put("error", error);
        }
        try {
            if (!AuditAppend.complete(session.db(), session.config().stateSchema(), id, now, outcome,
                    completion.toString())) {
                session.environment().err().println("warning: the audit record " + id + " of this copyback already had"
                        + " a completion; not changed");
            }
        } catch (SQLException | RuntimeException e) {
            session.environment().err().println("warning: the audit record " + id + " of this copyback was not"
                    + " completed (" + outcome + "): " + e.getMessage());
        }
    }

    /** Said after the copyback when it was not recorded. */
    Optional<String> note() {
        return Optional.ofNullable(note);
    }
}
