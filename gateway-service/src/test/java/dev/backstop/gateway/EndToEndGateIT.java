package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backstop.gateway.GatewayFixture.Resp;
import dev.backstop.sidecar.Sidecar;
import dev.backstop.sidecar.SidecarConfig;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.parquet.TableRebuilder;
import dev.backstop.snapshot.store.S3ObjectStore;
import dev.backstop.snapshot.store.S3Settings;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, gateway side end to end, with the REAL sidecar (Debezium -> Parquet -> S3) in this JVM:
 * the agent's DELETE FROM orders waits for approval, the operator approves, the gate passes, the
 * sidecar flushes, the DELETE runs; the audit names the recovery point and the commit LSN; the
 * flushed recovery point holds a row another session inserted a second before; and the table
 * rebuilt at commit_lsn - 1 from the CDC stream is the table just before the DELETE.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class EndToEndGateIT {
    static final String TOKEN = "e2e-sidecar-token-0123456789";
    static final String PREFIX = "e2e";

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void approvedDeleteRunsOnAFlushedRecoveryPointAndIsRecoverableToJustBefore(PgDatabase db, S3Endpoint s3)
            throws Exception {
        GatewayFixture gw = new GatewayFixture(db, "gw_e2e_it");
        gw.sql("CREATE TABLE orders (id int PRIMARY KEY, note text)",
                "INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 5) g");
        S3Settings s3Settings = new S3Settings(s3.endpoint().toString(), s3.region(), s3.bucket(), PREFIX, true,
                s3.accessKey(), s3.secretKey());
        try (Sidecar sidecar = Sidecar.start(sidecarConfig(db, s3), S3ObjectStore.create(s3Settings),
                Clock.systemUTC(), (type, severity, table, message) -> { });
             S3ObjectStore store = S3ObjectStore.create(s3Settings)) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(Duration.ofSeconds(60)), "initial recovery points");
            gw.clock.set(Instant.now());
            gw.snapshotsYaml = """
                    endpoint: %s
                    region: %s
                    bucket: %s
                    prefix: %s
                    accessKeyId: %s
                    secretAccessKey: %s
                    """.formatted(s3.endpoint(), s3.region(), s3.bucket(), PREFIX, s3.accessKey(), s3.secretKey());
            gw.start("""
                    {"require_approval_for_risks": ["HIGH", "IMPACT_CRITICAL", "CRITICAL"],
                     "max_snapshot_age_seconds": 300, "max_sidecar_heartbeat_seconds": 120}
                    """, """
                    sidecarUrl: http://127.0.0.1:%d
                    sidecarToken: %s
                    """.formatted(sidecar.httpPort(), TOKEN));
            try {
                // Another session commits a row one second before the agent's DELETE.
                try (Connection other = db.connect(); Statement st = other.createStatement()) {
                    st.executeUpdate("INSERT INTO orders VALUES (100, 'written by another session')");
                }
                Thread.sleep(1000);
                gw.clock.set(Instant.now());
                Resp held = gw.query(GatewayFixture.AGENT, "DELETE FROM orders");
                assertEquals(202, held.status(), held.raw());
                assertEquals("CRITICAL", held.body().get("risk").asText());
                String approvalId = held.body().get("approval_id").asText();

                gw.clock.set(Instant.now());
                Resp ok = gw.post(GatewayFixture.OPERATOR, "/v1/approvals/" + approvalId + "/approve",
                        "{\"comment\":\"restore drill\"}");
                assertEquals(200, ok.status(), ok.raw());
                assertEquals("executed", ok.body().get("status").asText());
                assertEquals(6, ok.body().get("row_count").asLong());
                assertEquals(0, gw.count("SELECT count(*) FROM orders"));

                gw.awaitAuditComplete();
                JsonNode c = RecoveryGateITSupport.approveCompletion(gw, approvalId);
                assertEquals("executed", c.get("outcome").asText(), c.toString());
                JsonNode points = c.get("recovery_points");
                assertEquals(1, points.size(), c.toString());
                assertEquals("public.orders", points.get(0).get("table").asText());
                String manifestKey = points.get(0).get("manifest_key").asText();
                Lsn covered = Lsn.parse(points.get(0).get("covered_lsn").asText());
                Lsn recoveryLsn = Lsn.parse(c.get("recovery_lsn").asText());
                Lsn commitLsn = Lsn.parse(c.get("commit_lsn").asText());
                assertTrue(covered.compareTo(recoveryLsn) <= 0, c.toString());
                assertTrue(commitLsn.compareTo(recoveryLsn) > 0, "the DELETE committed after the flush: " + c);

                // The recovery point the gate used holds the other session's row.
                RecoveryPointCatalog catalog = new RecoveryPointCatalog(store, new SnapshotKeys(PREFIX));
                Result<VerifiedManifest> used = catalog.readManifest(manifestKey);
                assertTrue(used.ok(), used.problems().toString());
                Map<Integer, String> atFlush = rows(store, used.value().manifest(), covered);
                assertEquals(6, atFlush.size(), atFlush.toString());
                assertEquals("written by another session", atFlush.get(100));

                // After the DELETE is durable too, the CDC stream rebuilt at commit_lsn - 1 is the table
                // just before the DELETE, and at its covered LSN the table is empty.
                VerifiedManifest after = flush(sidecar.httpPort(), catalog);
                Manifest m = after.manifest();
                assertTrue(m.coveredLsn().compareTo(commitLsn) >= 0, "flushed past the DELETE");
                Map<Integer, String> before = rows(store, m, Lsn.of(commitLsn.value() - 1));
                assertEquals(atFlush, before, "the table just before the DELETE");
                assertEquals(Map.of(), rows(store, m, m.coveredLsn()), "the DELETE itself is after commit_lsn - 1");
            } finally {
                gw.close();
            }
        }
    }

    private SidecarConfig sidecarConfig(PgDatabase db, S3Endpoint s3) throws Exception {
        Path file = dir.resolve("sidecar.yml");
        Files.writeString(file, """
                database:
                  url: %s
                  user: %s
                  password: "%s"
                snapshots:
                  endpoint: %s
                  region: %s
                  bucket: %s
                  prefix: %s
                  pathStyle: true
                  accessKeyId: %s
                  secretAccessKey: %s
                sidecar:
                  id: sc-e2e
                  httpPort: 0
                  httpToken: %s
                  slotName: e2e_slot
                  publicationName: e2e_pub
                  tables: [ "public.orders" ]
                  stateDir: %s
                  flushIntervalSeconds: 1
                  heartbeatIntervalSeconds: 1
                """.formatted(db.jdbcUrl(), db.user(), db.password() == null ? "" : db.password(), s3.endpoint(),
                s3.region(), s3.bucket(), PREFIX, s3.accessKey(), s3.secretKey(), TOKEN, dir.resolve("state")));
        return SidecarConfig.load(file, name -> null);
    }

    /** POST /flush on the real sidecar for public.orders; returns the verified manifest it names. */
    private static VerifiedManifest flush(int port, RecoveryPointCatalog catalog) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/flush"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"tables\":[\"public.orders\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        String key = GatewayFixture.JSON.readTree(r.body()).get("manifests").get(0).get("manifest_key").asText();
        Result<VerifiedManifest> vm = catalog.readManifest(key);
        assertTrue(vm.ok(), vm.problems().toString());
        return vm.value();
    }

    /** id -> note of the table rebuilt from base + deltas at lsn. */
    private Map<Integer, String> rows(S3ObjectStore store, Manifest m, Lsn lsn) throws Exception {
        Path files = Files.createDirectories(dir.resolve("files"));
        List<Path> fetched = new ArrayList<>();
        TableRebuilder.RebuiltTable t = TableRebuilder.rebuild(m, f -> {
            Path p = files.resolve(Integer.toHexString(f.key().hashCode()) + "-" + fetched.size() + ".parquet");
            assertTrue(store.getToFile(f.key(), p), "missing " + f.key());
            fetched.add(p);
            return p;
        }, lsn);
        assertEquals(0, t.unmatchedChanges());
        Map<Integer, String> out = new TreeMap<>();
        for (Object[] row : t.rows()) {
            out.put((Integer) row[0], (String) row[1]);
        }
        return out;
    }
}
