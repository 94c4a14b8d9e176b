package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.gateway.GatewayFixture.Resp;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Writes the classifier cannot see in the text (a function called by a read or inside a write, a
 * foreign key's ON DELETE CASCADE) and statements that change how the rest of the text is read
 * (standard_conforming_strings, search_path): none of them may commit unnoticed. The policy lets HIGH
 * and below run without approval, so only the gateway's own checks stand in the way.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class HiddenWritesIT {
    static final String POLICY = """
            {"require_recovery_for_critical": false,
             "require_approval_for_risks": ["IMPACT_CRITICAL", "CRITICAL"],
             "protected_tables": ["public.prot_child"],
             "max_blocked_attempts_per_window": 1000}
            """;
    static GatewayFixture gw;

    @BeforeAll
    static void start(PgDatabase db) throws Exception {
        gw = new GatewayFixture(db, "gw_hidden_it");
        gw.sql("CREATE TABLE notes (id int)",
                "CREATE TABLE victims (id int PRIMARY KEY)",
                "CREATE FUNCTION purge() RETURNS bigint LANGUAGE sql AS"
                        + " 'WITH d AS (DELETE FROM victims RETURNING 1) SELECT count(*) FROM d'",
                "CREATE TABLE parent (id int PRIMARY KEY)",
                "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent ON DELETE CASCADE)",
                "CREATE SCHEMA app",
                "CREATE TABLE app.victims (id int)",
                "CREATE TABLE emp (id int PRIMARY KEY, mgr int REFERENCES emp ON DELETE CASCADE)",
                "CREATE TABLE soft (id int PRIMARY KEY, deleted bool NOT NULL DEFAULT false)",
                "CREATE FUNCTION soft_delete() RETURNS trigger LANGUAGE plpgsql AS"
                        + " $$ BEGIN UPDATE soft SET deleted = true; RETURN NULL; END $$",
                "CREATE TRIGGER soft_delete BEFORE DELETE ON soft FOR EACH ROW EXECUTE FUNCTION soft_delete()",
                "CREATE FUNCTION f_trunc() RETURNS int LANGUAGE plpgsql AS $$ BEGIN TRUNCATE victims; RETURN 1; END $$",
                "CREATE TABLE parts (id int, k int) PARTITION BY RANGE (id)",
                "CREATE TABLE parts_1 PARTITION OF parts FOR VALUES FROM (1) TO (1001)",
                "CREATE TABLE parts_2 PARTITION OF parts FOR VALUES FROM (1001) TO (2001)",
                "CREATE TABLE prot_parent (id int PRIMARY KEY)",
                "CREATE TABLE prot_child (id int PRIMARY KEY, parent_id int REFERENCES prot_parent ON DELETE CASCADE)");
        gw.start(POLICY, null);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @BeforeEach
    void rows() throws Exception {
        gw.sql("DELETE FROM notes", "DELETE FROM victims", "INSERT INTO victims SELECT generate_series(1, 10)",
                "DELETE FROM child", "DELETE FROM parent", "INSERT INTO parent VALUES (1), (2)",
                "INSERT INTO child SELECT g, 1 FROM generate_series(1, 3000) g",
                "DELETE FROM app.victims", "INSERT INTO app.victims VALUES (1), (2)",
                "DELETE FROM emp", "INSERT INTO emp VALUES (1, NULL)", "INSERT INTO emp SELECT g, 1 FROM generate_series(2, 500) g",
                "ALTER TABLE soft DISABLE TRIGGER soft_delete", "DELETE FROM soft",
                "INSERT INTO soft (id) SELECT generate_series(1, 800)", "ALTER TABLE soft ENABLE TRIGGER soft_delete",
                "DELETE FROM parts", "INSERT INTO parts SELECT g, g FROM generate_series(1, 2000) g",
                "DELETE FROM prot_child", "DELETE FROM prot_parent", "INSERT INTO prot_parent VALUES (1), (2)",
                "INSERT INTO prot_child VALUES (1, 1), (2, 1)");
    }

    private static void assertNotCommitted(Resp r) throws Exception {
        assertTrue(r.status() != 200, r.raw());
        assertEquals(10, gw.count("SELECT count(*) FROM victims"), "the function's deletes did not commit");
        assertEquals(0, gw.count("SELECT count(*) FROM notes"), "nor the rest of the request");
    }

    @Test
    void aReadCallingAWritingFunctionNextToAWriteIsNotCommittedUnnoticed() throws Exception {
        // Alone, the SELECT runs READ ONLY and the function fails; next to a write the transaction is
        // read-write: the read's writes make the impact unknown (unknown_impact_action: approve).
        Resp r = gw.query(GatewayFixture.AGENT, "INSERT INTO notes VALUES (1); SELECT purge()");
        assertEquals(202, r.status(), r.raw());
        assertTrue(r.raw().contains("impact_unknown") && r.raw().contains("rolled_back_over_limit"), r.raw());
        assertNotCommitted(r);
    }

    @Test
    void aWriteCallingAWritingFunctionIsMeasuredOnEveryTableItChanged() throws Exception {
        // One row into notes, but 10 of 10 rows deleted from victims by the function: 100% of a table.
        Resp r = gw.query(GatewayFixture.AGENT, "INSERT INTO notes SELECT purge()");
        assertEquals(202, r.status(), r.raw());
        assertTrue(r.raw().contains("impact_percent_exceeded"), r.raw());
        assertNotCommitted(r);
    }

    @Test
    void aCascadeBeyondTheRowLimitIsRolledBack() throws Exception {
        // One parent row; ON DELETE CASCADE removes 3,000 child rows (limit 1,000).
        Resp r = gw.query(GatewayFixture.AGENT, "DELETE FROM parent WHERE id = 1");
        assertEquals(202, r.status(), r.raw());
        assertTrue(r.raw().contains("impact_rows_exceeded"), r.raw());
        assertEquals(2, gw.count("SELECT count(*) FROM parent"));
        assertEquals(3000, gw.count("SELECT count(*) FROM child"));
        Resp small = gw.query(GatewayFixture.AGENT, "DELETE FROM parent WHERE id = 2");
        assertEquals(200, small.status(), "a cascade that removes nothing runs: " + small.raw());
    }

    @Test
    void standardConformingStringsTurnedOffMidRequestIsRefused() throws Exception {
        // With it on (the classifier's reading) the second statement selects two strings; with it off
        // PostgreSQL would read "'a\' , '" as one string and call purge().
        Resp r = gw.query(GatewayFixture.AGENT,
                "SET LOCAL standard_conforming_strings = off; SELECT 'a\\' , ' , purge() -- '");
        assertEquals(422, r.status(), r.raw());
        assertEquals("statement_boundary_mismatch", r.code(), r.raw());
        assertNotCommitted(r);
    }

    @Test
    void searchPathChangedMidRequestIsRefused() throws Exception {
        // Classified as public.victims (where the gateway measured nothing dangerous); PostgreSQL would
        // have deleted from app.victims.
        Resp r = gw.query(GatewayFixture.AGENT, "SET LOCAL search_path = app; DELETE FROM victims WHERE id = 1");
        assertEquals(422, r.status(), r.raw());
        assertEquals("search_path_changed", r.code(), r.raw());
        assertEquals(2, gw.count("SELECT count(*) FROM app.victims"));
        assertEquals(10, gw.count("SELECT count(*) FROM victims"));
    }

    @Test
    void aTableWhoseStatisticsSayEmptyIsCountedForThePercentage() throws Exception {
        // reltuples = 0 (vacuumed while empty, loaded since, autovacuum off): 900 rows really.
        gw.sql("CREATE TABLE stale (id int) WITH (autovacuum_enabled = false)");
        gw.admin.execute("VACUUM ANALYZE public.stale");
        gw.sql("INSERT INTO stale SELECT generate_series(1, 900)");
        assertEquals(0L, ((Number) gw.value("SELECT reltuples::int8 FROM pg_class WHERE relname = 'stale'")).longValue());
        Resp r = gw.query(GatewayFixture.AGENT, "DELETE FROM stale WHERE id > 0");
        assertEquals(202, r.status(), r.raw());
        assertTrue(r.raw().contains("impact_percent_exceeded"), r.raw());
        assertEquals(900, gw.count("SELECT count(*) FROM stale"));
    }
    @Test
    void aSelfReferencingCascadeCountsEveryRowItDeletes() throws Exception {
        // PostgreSQL reports DELETE 1; the cascade deletes all 500 rows of the same table.
        Resp r = gw.query(GatewayFixture.AGENT, "DELETE FROM emp WHERE id = 1");
        assertEquals(202, r.status(), r.raw());
        assertTrue(r.raw().contains("impact_percent_exceeded"), r.raw());
        assertEquals(500, gw.count("SELECT count(*) FROM emp"));
    }

    @Test
    void aTriggerThatTurnsADeleteIntoAnUpdateOfEveryRowIsCounted() throws Exception {
        // DELETE 0 reported; the BEFORE DELETE trigger updated all 800 rows.
        Resp r = gw.query(GatewayFixture.AGENT, "DELETE FROM soft WHERE id = 5");
        assertEquals(202, r.status(), r.raw());
        assertEquals(0, gw.count("SELECT count(*) FROM soft WHERE deleted"));
    }

    @Test
    void aTruncateHiddenInAFunctionIsRefused() throws Exception {
        Resp dml = gw.query(GatewayFixture.AGENT, "INSERT INTO notes VALUES (f_trunc())");
        assertEquals(422, dml.status(), dml.raw());
        assertEquals("hidden_schema_change", dml.code(), dml.raw());
        assertNotCommitted(dml);
        Resp ddl = gw.query(GatewayFixture.AGENT, "CREATE TABLE hidden_trunc AS SELECT f_trunc() AS x");
        assertTrue(ddl.status() != 200, ddl.raw());
        assertEquals(10, gw.count("SELECT count(*) FROM victims"));
        assertEquals(0L, gw.count("SELECT count(*) FROM pg_class WHERE relname = 'hidden_trunc'"));
    }

    @Test
    void aTableCreatedWithItsRowsIsNotItsOwnSideEffect() throws Exception {
        Resp r = gw.query(GatewayFixture.AGENT, "CREATE TABLE made_here AS SELECT generate_series(1, 5000) AS id");
        assertEquals(200, r.status(), r.raw());
        assertEquals(5000, gw.count("SELECT count(*) FROM made_here"));
    }

    @Test
    void aPartitionedTableIsMeasuredAsOneTable() throws Exception {
        // 600 of 2,000 rows (30%), though 60% of one partition: below the limits, runs (statistics current, so
        // the plan-time estimate agrees; the measurement before COMMIT is what this is about).
        gw.sql("ANALYZE parts");
        Resp r = gw.query(GatewayFixture.AGENT, "DELETE FROM parts WHERE id <= 600");
        assertEquals(200, r.status(), r.raw());
        assertEquals(1400, gw.count("SELECT count(*) FROM parts"));
    }

    @Test
    void aProtectedTableReachedByACascadeNeedsApproval() throws Exception {
        Resp r = gw.query(GatewayFixture.AGENT, "DELETE FROM prot_parent WHERE id = 1");
        assertEquals(202, r.status(), r.raw());
        assertTrue(r.raw().contains("protected_table:public.prot_child"), r.raw());
        assertEquals(2, gw.count("SELECT count(*) FROM prot_child"));
    }
}
