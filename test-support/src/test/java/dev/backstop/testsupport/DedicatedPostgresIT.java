package dev.backstop.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A class with its own server may stop and restart it: same port, data kept. */
@ExtendWith(EmbeddedPostgresExtension.class)
@DedicatedPostgres
class DedicatedPostgresIT {

    @Test
    void stopAndRestartKeepPortAndData(PgDatabase db, PgServer server) throws SQLException {
        db.execute("CREATE TABLE kept (v text)", "INSERT INTO kept VALUES ('before outage')");
        int port = server.port();
        Connection open = db.connect();

        server.stop();
        assertFalse(server.isRunning());
        SQLException refused = assertThrows(SQLException.class, db::connect);
        assertEquals("08001", refused.getSQLState()); // connection refused
        assertThrows(SQLException.class, () -> open.createStatement().execute("SELECT 1"));
        open.close();

        server.start();
        assertTrue(server.isRunning());
        assertEquals(port, server.port());
        assertEquals("before outage", db.queryValue("SELECT v FROM kept"));
        assertEquals("logical", db.queryValue("SHOW wal_level"));
    }

    @Test
    void crashThenStartRecoversCommittedData(PgDatabase db, PgServer server) throws SQLException {
        db.execute("CREATE TABLE crash_test (v int)", "INSERT INTO crash_test VALUES (1), (2)");
        Connection open = db.connect();
        open.setAutoCommit(false);
        open.createStatement().execute("INSERT INTO crash_test VALUES (3)"); // never committed

        server.crash();
        assertFalse(server.isRunning());
        SQLException refused = assertThrows(SQLException.class, db::connect);
        assertEquals("08001", refused.getSQLState());
        assertThrows(SQLException.class, open::commit);
        open.close();

        server.start();
        assertEquals(2L, db.queryValue("SELECT count(*) FROM crash_test"));
        assertEquals(3L, db.queryValue("SELECT sum(v) FROM crash_test"));
        assertEquals(Boolean.FALSE, db.queryValue("SELECT pg_is_in_recovery()"));
    }
}
