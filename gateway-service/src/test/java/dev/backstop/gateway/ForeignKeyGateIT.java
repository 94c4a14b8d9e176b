package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.gateway.GatewayFixture.Resp;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code cascade_risk_requires_group_readiness} and {@code foreign_key_grouping_enabled}: the recovery
 * gate checks the tables foreign keys link to a gated statement's tables. No snapshot store is
 * configured here, so every gated statement is blocked; the response names the tables checked.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ForeignKeyGateIT {
    static final String POLICY = """
            {"cascade_risk_requires_group_readiness": true,
             "foreign_key_grouping_enabled": true,
             "max_blocked_attempts_per_window": 1000}
            """;
    static GatewayFixture gw;

    @BeforeAll
    static void start(PgDatabase db) throws Exception {
        gw = new GatewayFixture(db, "gw_fk_it");
        gw.sql("CREATE TABLE fk_parent (id int PRIMARY KEY)",
                "CREATE TABLE fk_child (id int PRIMARY KEY, parent_id int REFERENCES fk_parent)",
                "CREATE TABLE fk_grandchild (id int PRIMARY KEY, child_id int REFERENCES fk_child)",
                "CREATE TABLE fk_alone (id int PRIMARY KEY)",
                "INSERT INTO fk_parent VALUES (1)", "INSERT INTO fk_child VALUES (1, 1)",
                "INSERT INTO fk_grandchild VALUES (1, 1)");
        gw.start(POLICY, null);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static boolean gateChecked(Resp r, String table) {
        for (var c : r.body().path("gate")) {
            if (c.path("table").asText().equals(table)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aTruncateCascadeGatesEveryTableItReaches() throws Exception {
        Resp r = gw.post(GatewayFixture.AGENT, "/v1/classify", "{\"sql\":\"TRUNCATE fk_parent CASCADE\"}");
        assertEquals(200, r.status(), r.raw());
        String reasons = r.body().path("decision").path("reasons").toString() + r.body().path("reasons");
        assertTrue(reasons.contains("cascade_reaches:public.fk_child")
                && reasons.contains("cascade_reaches:public.fk_grandchild"), r.raw());
        assertTrue(gateChecked(r, "public.fk_parent") && gateChecked(r, "public.fk_child")
                && gateChecked(r, "public.fk_grandchild") && !gateChecked(r, "public.fk_alone"), r.raw());

        Resp q = gw.query(GatewayFixture.AGENT, "TRUNCATE fk_parent CASCADE");
        assertEquals(403, q.status(), q.raw());
        assertEquals(1, gw.count("SELECT count(*) FROM fk_grandchild"));
    }

    @Test
    void foreignKeyGroupingGatesLinkedTablesInBothDirections() throws Exception {
        Resp r = gw.post(GatewayFixture.AGENT, "/v1/classify", "{\"sql\":\"DELETE FROM fk_child\"}");
        assertEquals(200, r.status(), r.raw());
        String reasons = r.body().path("decision").path("reasons").toString() + r.body().path("reasons");
        assertTrue(reasons.contains("foreign_key_group:public.fk_parent")
                && reasons.contains("foreign_key_group:public.fk_grandchild"), r.raw());
        assertTrue(gateChecked(r, "public.fk_child") && gateChecked(r, "public.fk_parent")
                && !gateChecked(r, "public.fk_alone"), r.raw());
        Resp alone = gw.post(GatewayFixture.AGENT, "/v1/classify", "{\"sql\":\"DELETE FROM fk_alone\"}");
        assertTrue(gateChecked(alone, "public.fk_alone") && !gateChecked(alone, "public.fk_parent"), alone.raw());
    }
}
