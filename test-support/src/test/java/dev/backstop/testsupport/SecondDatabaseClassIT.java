package dev.backstop.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** A second class on the shared server: its own empty database; constructor injection with PER_CLASS. */
@ExtendWith(EmbeddedPostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecondDatabaseClassIT {

    private final PgDatabase db;

    SecondDatabaseClassIT(PgDatabase db) {
        this.db = db;
    }

    @BeforeAll
    void startsEmpty() throws SQLException {
        // PostgresFixtureIT creates table t; a shared database would show it (if it ran first).
        assertNull(db.queryValue("SELECT to_regclass('public.t')::text"));
        assertEquals(0L, db.queryValue(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"));
        db.execute("CREATE TABLE second_class_marker (id int)");
    }

    @Test
    void hasItsOwnDatabase(PgDatabase injected) throws SQLException {
        assertEquals(db.name(), injected.name());
        assertTrue(db.name().startsWith("t_seconddatabaseclassit_"), db.name());
        assertEquals(db.name(), db.queryValue("SELECT current_database()"));
        SeenFixtures.recordDatabase(SecondDatabaseClassIT.class, db);
    }

    @Nested
    class NestedTests {
        @Test
        void nestedClassesShareTheEnclosingDatabase(PgDatabase nested) throws SQLException {
            assertEquals(db.name(), nested.name());
            assertEquals("second_class_marker", nested.queryValue("SELECT to_regclass('second_class_marker')::text"));
        }
    }
}
