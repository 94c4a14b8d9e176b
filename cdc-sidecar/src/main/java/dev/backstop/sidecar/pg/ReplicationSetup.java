package dev.backstop.sidecar.pg;

import dev.backstop.snapshot.SourceInfo;
import dev.backstop.snapshot.TableRef;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Prepares PostgreSQL for capture: the sidecar's state schema and heartbeat table, REPLICA IDENTITY FULL on tracked
 * tables, the publication (exactly the tracked tables plus the heartbeat table) and the logical slot.
 * Identifiers are quoted; values are bound.
 */
public final class ReplicationSetup {
    public static final String STATE_SCHEMA = "backstop_sidecar";
    public static final String HEARTBEAT_TABLE = "heartbeat";

    private ReplicationSetup() {
    }

    public static TableRef heartbeatTable(String database) {
        return new TableRef(database, STATE_SCHEMA, HEARTBEAT_TABLE);
    }

    public static void createStateTables(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + STATE_SCHEMA);
            s.execute("CREATE TABLE IF NOT EXISTS " + STATE_SCHEMA + "." + HEARTBEAT_TABLE
                    + " (sidecar_id text PRIMARY KEY, seq bigint NOT NULL, written_at timestamptz NOT NULL)");
        }
    }

    public static SourceInfo sourceInfo(Connection c, String sidecarId, String slotName) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_database(),"
                + " system_identifier::text, (SELECT timeline_id FROM pg_control_checkpoint()) FROM pg_control_system()")) {
            rs.next();
            return new SourceInfo(rs.getString(1), rs.getString(2), rs.getLong(3), sidecarId, slotName);
        }
    }

    /**
     * Full old row images: tables without a primary key can be replayed (deletes name the whole row) and TOASTed
     * values an update did not touch are recovered from the old image.
     */
    public static void setReplicaIdentityFull(Connection c, List<TableRef> tables) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (TableRef t : tables) {
                s.execute("ALTER TABLE " + qualified(t) + " REPLICA IDENTITY FULL");
            }
        }
    }

    /** Creates the publication or resets its table list to exactly the tracked tables and the heartbeat table. */
    public static void publish(Connection c, String publication, List<TableRef> tables) throws SQLException {
        StringBuilder list = new StringBuilder();
        for (TableRef t : tables) {
            list.append(qualified(t)).append(", ");
        }
        list.append(STATE_SCHEMA).append('.').append(HEARTBEAT_TABLE);
        boolean exists;
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute((exists ? "ALTER PUBLICATION " + quote(publication) + " SET TABLE "
                    : "CREATE PUBLICATION " + quote(publication) + " FOR TABLE ") + list);
        }
    }

    public static boolean slotExists(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Creates the slot (pgoutput) before any base is taken, so no change after a base can be missed. */
    public static void createSlot(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
            ps.setString(1, slot);
            ps.execute();
        }
    }

    /** The server's current WAL insert position, for the lag metric. */
    public static long currentWalLsn(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")) {
            rs.next();
            return rs.getBigDecimal(1).longValueExact();
        }
    }

    public static String qualified(TableRef t) {
        return quote(t.schema()) + "." + quote(t.name());
    }

    public static String quote(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }
}
