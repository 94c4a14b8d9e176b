package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.gateway.db.BackendRegistry;
import dev.backstop.gateway.db.StateSchema;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * gateway_backends holds the gateway's own pool connections, registered as they are created, and
 * nothing else: a direct session that sets the gateway's application_name is never registered,
 * by creation or by refresh (the bypass detector would otherwise never report it).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class BackendRegistryIT {

    @Test
    void onlyTheGatewaysOwnConnectionsAreRegistered(PgDatabase db) throws Exception {
        try (GatewayFixture gw = new GatewayFixture(db, "gw_backends_it")) {
            gw.sql("CREATE TABLE r (id int)");
            gw.start("{\"require_recovery_for_critical\": false}", null);
            assertEquals(200, gw.query(GatewayFixture.AGENT, "SELECT count(*) FROM r").status());

            Properties p = new Properties();
            p.setProperty("user", gw.role);
            p.setProperty("password", "pw-" + gw.role);
            p.setProperty("ApplicationName", GatewayApplication.APPLICATION_NAME);
            try (Connection direct = DriverManager.getConnection(db.jdbcUrl(), p)) {
                int directPid = pid(direct);
                // Everything the refresh could ever see, and a refresh by a registry sharing the state schema.
                new BackendRegistry(gw.gatewayDb.dataSource(), new StateSchema("backstop"), "test-instance",
                        Clock.systemUTC(), 10).refresh();

                Set<Integer> registered = registeredPids(db);
                assertFalse(registered.contains(directPid), "a direct session with the gateway's application_name");
                Set<Integer> pool = new HashSet<>();
                try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                        "SELECT pid FROM pg_stat_activity WHERE application_name = ? AND usename = ? AND pid <> ?")) {
                    ps.setString(1, GatewayApplication.APPLICATION_NAME);
                    ps.setString(2, gw.role);
                    ps.setInt(3, directPid);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            pool.add(rs.getInt(1));
                        }
                    }
                }
                // Hikari fills the pool in the background: at least the one that served the query exists.
                assertFalse(pool.isEmpty(), "the pool's connections");
                assertTrue(registered.containsAll(pool), "pool " + pool + " registered " + registered);
                // Registered by (pid, backend_start) exactly as PostgreSQL reports them.
                try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT count(*) FROM backstop.gateway_backends gb JOIN pg_stat_activity a"
                                + " ON a.pid = gb.backend_pid AND a.backend_start = gb.backend_start")) {
                    rs.next();
                    assertTrue(rs.getInt(1) >= pool.size(), "live registered sessions");
                }
            }
        }
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Set<Integer> registeredPids(PgDatabase db) throws SQLException {
        Set<Integer> out = new HashSet<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT backend_pid FROM backstop.gateway_backends")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }
}
