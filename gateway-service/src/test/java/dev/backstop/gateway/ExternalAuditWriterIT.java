package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.backstop.gateway.db.AuditReader;
import dev.backstop.gateway.db.AuditWriter;
import dev.backstop.gateway.db.StateSchema;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Another writer of the audit chain that follows only the documented contract (docs/api.md "Audit": the chain lock
 * 0x6261636b73746f70, the head, the hash formula; here in plain SQL, as the restore tool writes its records) appends
 * between the gateway's records: the gateway's next batch loses the race, retries from the new head without counting
 * an audit failure (which would refuse statements for a minute), and the chain verifies.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ExternalAuditWriterIT {

    @Test
    void recordsOfAnotherWriterFollowingTheContractCostTheGatewayNoAuditFailure(PgDatabase db) throws Exception {
        StateSchema schema = new StateSchema("backstop");
        try (HikariDataSource ds = MigratedStateDataSource.open(db, schema, 2, false)) {
            AtomicInteger failures = new AtomicInteger();
            AuditWriter gateway = new AuditWriter(ds, schema, 64, e -> failures.incrementAndGet());
            gateway.start();
            try {
                append(gateway, 3);
                external(ds, "{\"event\":\"restore_drill\",\"n\":1}");
                append(gateway, 3); // its cached head is stale now: one lost race, then turns under the lock
                external(ds, "{\"event\":\"copyback\",\"n\":2}");
                append(gateway, 1);
            } finally {
                gateway.stop();
            }
            assertEquals(0, failures.get(), "no audit failure was counted");
            AuditReader.Verification v = new AuditReader(ds, schema).verify();
            assertTrue(v.ok(), String.valueOf(v.problem()));
            assertEquals(9, v.rows());
        }
    }

    private static void append(AuditWriter w, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            w.append(UUID.randomUUID(), Instant.now(), "agent-1", "execute", "SAFE", null, "{\"i\":" + i + "}", "ok",
                    Instant.now(), "{\"outcome\":\"ok\"}").get(10, TimeUnit.SECONDS);
        }
    }

    /** One complete record by the contract alone, hashes computed by PostgreSQL. */
    private static void external(HikariDataSource ds, String record) throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + 0x6261636b73746f70L + ")");
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO backstop.audit (seq, id, ts, principal,"
                    + " decision, record, prev_hash, row_hash, completed_at, outcome, completion, completion_hash)"
                    + " SELECT h.seq + 1, ?, now(), 'restore-tool', 'drill', ?, h.prev, r.hash, now(), 'passed', ?,"
                    + " encode(sha256(convert_to(r.hash || chr(10) || ?, 'UTF8')), 'hex')"
                    + " FROM (SELECT coalesce(max(seq), 0) AS seq, coalesce((SELECT row_hash FROM backstop.audit"
                    + " ORDER BY seq DESC LIMIT 1), repeat('0', 64)) AS prev FROM backstop.audit) h,"
                    + " LATERAL (SELECT encode(sha256(convert_to(h.prev || chr(10) || ?, 'UTF8')), 'hex') AS hash) r")) {
                String completion = "{\"outcome\":\"passed\"}";
                ins.setObject(1, UUID.randomUUID());
                ins.setString(2, record);
                ins.setString(3, completion);
                ins.setString(4, completion);
                ins.setString(5, record);
                assertEquals(1, ins.executeUpdate());
            }
            c.commit();
        }
    }
}
