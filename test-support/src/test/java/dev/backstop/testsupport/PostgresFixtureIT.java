package dev.backstop.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedPostgresExtension.class)
class PostgresFixtureIT {

    @Test
    void serverIsConfiguredForLogicalReplication(PgDatabase db) throws SQLException {
        assertEquals("logical", db.queryValue("SHOW wal_level"));
        assertEquals("20", db.queryValue("SHOW max_replication_slots"));
        assertEquals("20", db.queryValue("SHOW max_wal_senders"));
        assertEquals("on", db.queryValue("SHOW track_commit_timestamp"));
    }

    @Test
    void logicalSlotWithPgoutputCanBeCreatedAndDropped(PgDatabase db) throws SQLException {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "CREATE PUBLICATION pub_t FOR TABLE t");
        assertEquals("slot_fixture_test",
                db.queryValue("SELECT slot_name FROM pg_create_logical_replication_slot('slot_fixture_test', 'pgoutput')"));
        assertEquals("pgoutput", db.queryValue(
                "SELECT plugin FROM pg_replication_slots WHERE slot_name = 'slot_fixture_test'"));
        assertEquals(db.name(), db.queryValue(
                "SELECT database FROM pg_replication_slots WHERE slot_name = 'slot_fixture_test'"));
        db.execute("SELECT pg_drop_replication_slot('slot_fixture_test')");
        assertNull(db.queryValue("SELECT slot_name FROM pg_replication_slots WHERE slot_name = 'slot_fixture_test'"));
    }

    @Test
    void eachClassGetsItsOwnFreshDatabase(PgDatabase db, PgServer server) throws SQLException {
        assertEquals(db.name(), db.queryValue("SELECT current_database()"));
        assertTrue(db.name().startsWith("t_postgresfixtureit_"), db.name());
        assertEquals(server, db.server());
        assertEquals(EmbeddedPgServer.class, server.getClass());
        assertEquals("postgres", db.user());
        SeenFixtures.recordDatabase(PostgresFixtureIT.class, db);
    }

    @Test
    void rolesMustUseTheirPassword(PgDatabase db) throws SQLException {
        PgDatabase agent = db.createRole("fixture_agent", "s3cr'et", "LOGIN");
        assertEquals("fixture_agent", agent.queryValue("SELECT current_user"));
        SQLException wrong = assertThrows(SQLException.class, () -> db.as("fixture_agent", "wrong").connect());
        assertEquals("28P01", wrong.getSQLState()); // invalid_password
        // Idempotent: a second call updates the role instead of failing.
        PgDatabase again = db.createRole("fixture_agent", "other", "LOGIN", "REPLICATION");
        assertEquals(Boolean.TRUE, again.queryValue(
                "SELECT rolreplication FROM pg_roles WHERE rolname = 'fixture_agent'"));
        assertThrows(IllegalArgumentException.class, () -> db.createRole("x", "y", "LOGIN; DROP TABLE t"));
    }

    @Test
    void adminConnectionCanCreateASecondDatabase(PgDatabase db) throws SQLException {
        String name = SqlNames.unique("second", '_', 63);
        PgDatabase second = db.server().createDatabase(name);
        try {
            assertEquals(name, second.queryValue("SELECT current_database()"));
            second.execute("CREATE TABLE only_here (id int)");
            assertNull(db.queryValue("SELECT to_regclass('only_here')::text"));
        } finally {
            db.server().dropDatabase(name);
        }
        try (Connection admin = db.adminConnection(); var st = admin.createStatement();
                var rs = st.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1));
        }
    }
}
