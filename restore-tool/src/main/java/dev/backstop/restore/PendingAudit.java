package dev.backstop.restore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * An audit record written (and committed) before the action it records, and completed with what happened, as the
 * gateway audits what it executes: for the restore tool's actions that change the protected database or loosen the
 * trust in recovery points ({@code copyback --apply}, {@code unquarantine}). A database with the gateway's state
 * schema gets no such action without its record; one without it gets the action and a note that it was not recorded.
 */
final class PendingAudit {
    private final Session session;
    private final UUID id;
    private final String note;

    private PendingAudit(Session session, UUID id, String note) {
        this.session = session;
        this.id = id;
        this.note = note;
    }

    /**
     * Writes the record of the action about to run ({@code event}, the common fields, then {@code fields}); refuses
     * the action (CheckFailedException naming {@code action}) if the record cannot be written.
     */
    static PendingAudit begin(Session session, String decision, String event, Consumer<ObjectNode> fields,
                              String action) {
        UUID id = UUID.randomUUID();
        Instant now = session.environment().clock().instant();
        ObjectNode record = ToolAudit.record(event, id, now);
        fields.accept(record);
        if (!ToolAudit.databaseConfigured(session)) {
            return new PendingAudit(session, null, "Not recorded in the audit: " + ToolAudit.notRecorded(session) + ".");
        }
        try {
            Optional<Long> seq = AuditAppend.append(session.db(), session.config().stateSchema(), new AuditAppend.Entry(
                    id, now, ToolAudit.PRINCIPAL, decision, record.toString(), null, null, null));
            return seq.isPresent() ? new PendingAudit(session, id, null)
                    : new PendingAudit(session, null, "Not recorded in the audit: " + ToolAudit.notRecorded(session) + ".");
        } catch (SQLException | RuntimeException e) {
            throw new CheckFailedException("the audit record of this " + action + " could not be written, so nothing "
                    + "was done: " + e.getMessage());
        }
    }

    /**
     * Completes the record with {@code outcome} and {@code details} (added to the completion). The action has run (or
     * failed) by now, so a completion that cannot be written is only reported.
     */
    void end(String outcome, Consumer<ObjectNode> details) {
        if (id == null) {
            return;
        }
        Instant now = session.environment().clock().instant();
        ObjectNode completion = ToolAudit.completion(now, outcome);
        details.accept(completion);
        try {
            if (!AuditAppend.complete(session.db(), session.config().stateSchema(), id, now, outcome,
                    completion.toString())) {
                session.environment().err().println("warning: the audit record " + id + " already had a completion;"
                        + " not changed");
            }
        } catch (SQLException | RuntimeException e) {
            session.environment().err().println("warning: the audit record " + id + " was not completed (" + outcome
                    + "): " + e.getMessage());
        }
    }

    /** Said after the action when it was not recorded. */
    Optional<String> note() {
        return Optional.ofNullable(note);
    }
}
