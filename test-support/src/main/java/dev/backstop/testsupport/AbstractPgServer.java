package dev.backstop.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Database management shared by the embedded and container servers (plain SQL over JDBC). */
public abstract class AbstractPgServer implements PgServer {

    /** Server settings both implementations apply: what Debezium's pgoutput plugin needs, and tuning for tests. */
    public static final List<String[]> SERVER_SETTINGS = List.of(
            new String[] {"wal_level", "logical"},
            new String[] {"max_replication_slots", "20"},
            new String[] {"max_wal_senders", "20"},
            // Commit timestamps let tests correlate LSNs with time (pg_xact_commit_timestamp).
            new String[] {"track_commit_timestamp", "on"},
            // zonky defaults to off, which loses the last commits on crash(): keep production semantics.
            new String[] {"synchronous_commit", "on"},
            new String[] {"max_connections", "200"},
            new String[] {"timezone", "UTC"},
            // Test data is disposable: no fsync (zonky also passes -F) and no full-page images.
            new String[] {"fsync", "off"},
            new String[] {"full_page_writes", "off"});

    @Override
    public Connection adminConnection() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", superuser());
        props.setProperty("password", superuserPassword());
        return DriverManager.getConnection(jdbcUrl("postgres"), props);
    }

    @Override
    public PgDatabase createDatabase(String name) {
        try (Connection c = adminConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + SqlNames.quoteIdent(name));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return new PgDatabase(this, name, superuser(), superuserPassword());
    }

    @Override
    public void dropDatabase(String name) {
        try (Connection c = adminConnection()) {
            dropSlots(c, name);
            try (Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + SqlNames.quoteIdent(name) + " WITH (FORCE)");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop database " + name + ": " + e.getMessage(), e);
        }
    }

    private static void dropSlots(Connection c, String database) throws SQLException {
        List<String> slots = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT slot_name, active_pid FROM pg_replication_slots WHERE database = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    slots.add(rs.getString(1));
                    int pid = rs.getInt(2);
                    if (!rs.wasNull()) {
                        try (PreparedStatement kill = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
                            kill.setInt(1, pid);
                            kill.execute();
                        }
                    }
                }
            }
        }
        for (String slot : slots) {
            dropSlotWhenReleased(c, slot);
        }
    }

    /** A terminated walsender releases its slot asynchronously: retry briefly while it is still active. */
    private static void dropSlotWhenReleased(Connection c, String slot) throws SQLException {
        SQLException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                ps.setString(1, slot);
                ps.execute();
                return;
            } catch (SQLException e) {
                if (!"55006".equals(e.getSQLState())) { // object_in_use
                    throw e;
                }
                last = e;
                sleep(100);
            }
        }
        throw last;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + host() + ":" + port() + "]";
    }
}
