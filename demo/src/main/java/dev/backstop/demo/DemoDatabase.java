package dev.backstop.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Creates the demo's database roles and sample data. Roles mirror a production set-up:
 * {@code backstop_gateway} (the gateway's pool; owns the sample tables), {@code backstop_replication}
 * (the sidecar's replication role) and {@code agent} (a role an agent must NOT use directly: it exists
 * so the demo can show bypass detection).
 */
final class DemoDatabase {
    static final String DATABASE = "app";
    static final String GATEWAY_ROLE = "backstop_gateway";
    static final String REPLICATION_ROLE = "backstop_replication";
    static final String AGENT_ROLE = "agent";

    private DemoDatabase() {
    }

    /** Creates the application database if it does not exist yet. */
    static void createDatabase(Connection admin) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, DATABASE);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + DATABASE);
        }
    }

    /** Creates (or re-keys) the three roles with the demo's passwords. */
    static void createRoles(Connection admin, DemoSecrets secrets) throws SQLException {
        ensureRole(admin, GATEWAY_ROLE, "LOGIN", secrets.gatewayDbPassword());
        ensureRole(admin, REPLICATION_ROLE, "LOGIN REPLICATION", secrets.replicationDbPassword());
        ensureRole(admin, AGENT_ROLE, "LOGIN", secrets.agentDbPassword());
        try (Statement st = admin.createStatement()) {
            // bypass detection reads every session's client address in pg_stat_activity
            st.execute("GRANT pg_read_all_stats TO " + REPLICATION_ROLE);
        }
    }

    /** Creates the sample tables as the gateway role and fills them; idempotent. */
    static void createSampleData(Connection appAdmin) throws SQLException, IOException {
        try (Statement st = appAdmin.createStatement()) {
            st.execute("GRANT CREATE ON DATABASE " + DATABASE + " TO " + GATEWAY_ROLE);
            st.execute("GRANT ALL ON SCHEMA public TO " + GATEWAY_ROLE);
            st.execute("SET ROLE " + GATEWAY_ROLE);
            st.execute(resource("/demo/schema.sql"));
            st.execute("RESET ROLE");
            // The sidecar sets REPLICA IDENTITY FULL and publishes the tables, which takes the owner's
            // rights: its role is a member of the owning role, the set-up Debezium documents.
            st.execute("GRANT " + GATEWAY_ROLE + " TO " + REPLICATION_ROLE);
            st.execute("GRANT CREATE ON DATABASE " + DATABASE + " TO " + REPLICATION_ROLE);
            st.execute("GRANT USAGE ON SCHEMA public TO " + REPLICATION_ROLE + ", " + AGENT_ROLE);
            st.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + REPLICATION_ROLE + ", " + AGENT_ROLE);
        }
    }

    static long rowCount(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM public." + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void ensureRole(Connection admin, String role, String options, String password)
            throws SQLException {
        boolean exists;
        try (PreparedStatement ps = admin.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
            }
        }
        // PostgreSQL's format() quotes the password literal; DDL cannot take bind parameters.
        String ddl;
        try (PreparedStatement ps = admin.prepareStatement("SELECT format('%s ROLE %I ' || ? || ' PASSWORD %L', ?, ?, ?)")) {
            ps.setString(1, options);
            ps.setString(2, exists ? "ALTER" : "CREATE");
            ps.setString(3, role);
            ps.setString(4, password);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                ddl = rs.getString(1);
            }
        }
        try (Statement st = admin.createStatement()) {
            st.execute(ddl);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = DemoDatabase.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
