package dev.backstop.bypass;

import dev.backstop.testsupport.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backstop.alerts.AlertSink;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.GatewayStateSchema;
import dev.backstop.testsupport.PgDatabase;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The preventive role checks against real catalogs: each weakness is reported once, by name, and only it. */
@ExtendWith(EmbeddedPostgresExtension.class)
class PreventiveChecksIT {
    static PgDatabase db;
    static ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void roles(PgDatabase database) throws Exception {
        db = database;
        GatewayStateSchema.create(db);
        db.createRole("pcit_clean", "x");                      // NOLOGIN, nothing else: no warning
        db.createRole("pcit_login", "x", "LOGIN");             // can log in
        db.createRole("pcit_member", "x", "LOGIN", "REPLICATION", "BYPASSRLS"); // member: LOGIN is normal
        db.createRole("pcit_super", "x", "SUPERUSER");         // superuser member
        db.createRole("pcit_owner", "x");                      // owns a protected table
        db.createRole("pcit_writer", "x");                     // may write gateway_backends
        db.execute("GRANT pcit_clean TO pcit_member", "GRANT pcit_clean TO pcit_super",
                "CREATE TABLE public.pcit_orders (id int)", "ALTER TABLE public.pcit_orders OWNER TO pcit_owner",
                "CREATE SCHEMA other", "CREATE TABLE other.not_protected (id int)",
                "ALTER TABLE other.not_protected OWNER TO pcit_login",
                "GRANT INSERT ON backstop.gateway_backends TO pcit_writer");
    }

    @AfterAll
    static void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void reportsEveryWeaknessByCheckAndRole() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        BypassDetector d = new BypassDetector(BypassDetectorSettings.defaults(List.of("pcit_clean", "pcit_login",
                "pcit_owner", "pcit_writer", "pcit_nosuch")), db.dataSource(),
                new MutableClock(Instant.parse("2026-11-26T10:00:00Z")), scheduler, registry, AlertSink.NONE);
        try {
            List<PostureWarning> warnings = d.runPreventiveChecks();
            assertEquals(List.of(
                            "agent_role_missing pcit_nosuch",
                            "agent_role_can_login pcit_login",
                            "agent_role_superuser pcit_super",
                            "agent_role_replication pcit_member",
                            "agent_role_bypassrls pcit_member",
                            "agent_role_owns_protected_tables pcit_owner",
                            // a superuser can write anything, so it is listed here as well
                            "agent_role_can_write_state_schema pcit_super",
                            "agent_role_can_write_state_schema pcit_writer"),
                    warnings.stream().map(w -> w.check() + " " + w.role()).toList());
            assertEquals("role pcit_super (member of an agent role) is a superuser", warnings.get(2).message());

            // Warnings are listed in the posture but do not degrade it.
            Posture p = d.pollOnce();
            assertEquals(PostureState.PROTECTED, p.state());
            assertEquals(warnings, p.warnings());

            Map<String, Double> m = MetricsText.values(registry);
            assertEquals(1.0, m.get("backstop_posture_warnings{check=\"agent_role_missing\"}"));
            assertEquals(1.0, m.get("backstop_posture_warnings{check=\"agent_role_can_login\"}"));
            assertEquals(1.0, m.get("backstop_posture_warnings{check=\"agent_role_superuser\"}"));
            assertEquals(2.0, m.get("backstop_posture_warnings{check=\"agent_role_can_write_state_schema\"}"));
            assertEquals(0.0, m.get("backstop_posture_warnings{check=\"detector_lacks_read_all_stats\"}"));
            assertEquals(0.0, m.get("backstop_posture_degraded"));
        } finally {
            d.close();
        }
    }

    @Test
    void aDetectorRoleWithoutReadAllStatsIsReported() throws Exception {
        PgDatabase weak = db.createRole("pcit_detector", "x", "LOGIN");
        db.execute("GRANT SELECT ON ALL TABLES IN SCHEMA backstop TO pcit_detector",
                "GRANT USAGE ON SCHEMA backstop TO pcit_detector");
        db.createRole("pcit_lonely", "x"); // an agent role with no weakness and no members
        BypassDetector d = new BypassDetector(BypassDetectorSettings.defaults(List.of("pcit_lonely")),
                weak.dataSource(), new MutableClock(Instant.parse("2026-11-26T10:00:00Z")), scheduler,
                new PrometheusRegistry(), AlertSink.NONE);
        try {
            assertEquals(List.of("detector_lacks_read_all_stats"),
                    d.runPreventiveChecks().stream().map(PostureWarning::check).toList());
            db.execute("GRANT pg_read_all_stats TO pcit_detector");
            assertEquals(List.of(), d.runPreventiveChecks());
        } finally {
            d.close();
        }
    }
}
