package dev.backstop.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.snapshot.Lsn;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Reads a gateway audit row ({@code {stateSchema}.audit}) and turns it into a restore target: "just before this
 * statement", i.e. every transaction that committed strictly before the statement's own commit LSN
 * ({@code commit_lsn - 1}). The completion JSON carries {@code commit_lsn} (also accepted: {@code commitLsn}) and
 * optionally the recovery point the gate used, {@code recovery_point: {manifest_key, lsn}} (or camelCase).
 */
final class AuditLookup {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditLookup() {
    }

    static RestoreTarget beforeAudit(Connection c, String stateSchema, String auditId) {
        UUID id;
        try {
            id = UUID.fromString(auditId);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--before-audit needs an audit id (a UUID), got '" + auditId + "'");
        }
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
        JsonNode n;
        try {
            n = JSON.readTree(completion);
        } catch (IOException e) {
            throw new CheckFailedException("audit record " + id + " has a completion that is not JSON");
        }
        String commit = text(n, "commit_lsn", "commitLsn");
        if (commit == null) {
            throw new CheckFailedException("audit record " + id + " has no commit_lsn in its completion (outcome "
                    + text(n, "outcome", "outcome") + "): restore with --lsn or --at instead");
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
        JsonNode rp = n.has("recovery_point") ? n.get("recovery_point") : n.path("recoveryPoint");
        String manifestKey = text(rp, "manifest_key", "manifestKey");
        return new RestoreTarget(Lsn.of(commitLsn.value() - 1),
                "just before audit " + id + " (commit LSN " + commitLsn + ")", manifestKey);
    }

    private static String text(JsonNode n, String a, String b) {
        JsonNode v = n.has(a) ? n.get(a) : n.get(b);
        return v == null || v.isNull() ? null : v.asText();
    }
}
