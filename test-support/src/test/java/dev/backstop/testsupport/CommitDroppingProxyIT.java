package dev.backstop.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedPostgresExtension.class)
class CommitDroppingProxyIT {

    @Test
    void theMarkedTransactionCommitsButItsClientSeesABrokenConnection(PgDatabase db) throws Exception {
        db.execute("CREATE TABLE t (n int)");
        try (CommitDroppingProxy proxy = new CommitDroppingProxy(db.host(), db.port(), "/* drop-at-commit */")) {
            // An unmarked transaction on a proxied connection is passed through, COMMIT included.
            try (Connection c = DriverManager.getConnection(proxy.jdbcUrl(db.name()), db.user(), db.password());
                 Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.execute("INSERT INTO t VALUES (1)");
                c.commit();
                c.setAutoCommit(true);
                assertEquals(1, count(db, "n = 1"));

                c.setAutoCommit(false);
                s.execute("INSERT /* drop-at-commit */ INTO t VALUES (2)");
                SQLException lost = assertThrows(SQLException.class, c::commit);
                assertTrue(lost.getSQLState().startsWith("08"), lost.getSQLState() + " " + lost.getMessage());
            }
            assertTrue(proxy.awaitDrop(10));
            assertEquals(1, proxy.dropped());
            assertEquals(1, count(db, "n = 2"), "the server committed before the connection was dropped");
        }
    }

    private static long count(PgDatabase db, String where) throws SQLException {
        return ((Number) db.queryValue("SELECT count(*) FROM t WHERE " + where)).longValue();
    }
}
