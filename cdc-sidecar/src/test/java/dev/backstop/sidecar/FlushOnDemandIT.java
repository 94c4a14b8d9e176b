package dev.backstop.sidecar;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.json.JsonParser;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Done means 3: under a steady write load, POST /flush returns the recovery points covering every change committed
 * before the call (a marker row committed just before is in the returned recovery point). Latencies are printed;
 * the assertion bound is deliberately generous (no timed test): the measured figures go into docs/benchmarks.md.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class FlushOnDemandIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void flushUnderLoadIncludesTheLastCommittedChange(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 1000) g",
                "CREATE TABLE markers (id int PRIMARY KEY, note text)");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        HttpClient http = HttpClient.newHttpClient();
        List<Long> millis = new ArrayList<>();
        try (Sidecar sidecar = fx.start(fx.config("sc-flush", List.of("public.*"), 10, Map.of()))) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(java.time.Duration.ofSeconds(60)));
            Thread writer = new Thread(() -> steadyLoad(db, stop, writes), "load");
            writer.start();
            try (ObjectStore store = fx.store(); Connection c = db.connect()) {
                URI flush = URI.create("http://localhost:" + sidecar.httpPort() + "/flush");
                HttpResponse<String> denied = http.send(HttpRequest.newBuilder(flush)
                        .header("Authorization", "Bearer wrong-token-0123456789")
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(401, denied.statusCode());
                Thread.sleep(1000); // load running
                for (int i = 1; i <= 10; i++) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO markers VALUES (?, 'before flush')")) {
                        ps.setInt(1, i);
                        ps.executeUpdate(); // autocommit: committed before the call
                    }
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(flush)
                                    .header("Authorization", "Bearer test-token-0123456789")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"tables\":[\"public.markers\"]}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    millis.add(ms);
                    assertEquals(200, r.statusCode(), r.body());
                    Map<?, ?> body = (Map<?, ?>) JsonParser.parse(r.body());
                    List<?> manifests = (List<?>) body.get("manifests");
                    assertEquals(1, manifests.size());
                    Map<?, ?> entry = (Map<?, ?>) manifests.get(0);
                    assertEquals("public.markers", entry.get("table"));
                    Result<VerifiedManifest> vm = fx.catalog(store).readManifest((String) entry.get("manifest_key"));
                    assertTrue(vm.ok(), vm.problems().toString());
                    Manifest m = vm.value().manifest();
                    assertEquals(Lsn.parse((String) entry.get("covered_lsn")), m.coveredLsn());
                    Map<List<Object>, Integer> rows = fx.replay(store, m, m.coveredLsn());
                    assertEquals(i, rows.size(), "markers 1.." + i + " in the returned recovery point");
                    assertTrue(rows.containsKey(List.of(i, "before flush")), "marker " + i);
                    assertTrue(ms < 10_000, "flush took " + ms + " ms");
                }
            } finally {
                stop.set(true);
                writer.join();
            }
        }
        List<Long> sorted = new ArrayList<>(millis);
        sorted.sort(null);
        System.out.printf("FLUSH-LATENCY under load (%d row updates committed): ms %s; median %d, max %d%n", writes.get(),
                millis, sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
        assertTrue(writes.get() > 100, "the load really ran");
    }

    @Test
    @Timeout(300)
    void aTableWhoseSchemaNameHasADotIsFlushedByItsQuotedName(PgDatabase db, S3Endpoint s3) throws Exception {
        SidecarFixture fx = new SidecarFixture(db, s3, dir);
        db.execute("CREATE SCHEMA \"ops.v2\"", "CREATE TABLE \"ops.v2\".dotted (id int PRIMARY KEY, note text)",
                "INSERT INTO \"ops.v2\".dotted VALUES (1, 'a'), (2, 'b')");
        HttpClient http = HttpClient.newHttpClient();
        try (Sidecar sidecar = fx.start(fx.config("sc-dotted", List.of("ops.v2.*"), 10, Map.of()));
             ObjectStore store = fx.store()) {
            assertTrue(sidecar.awaitInitialRecoveryPoints(java.time.Duration.ofSeconds(60)));
            db.execute("INSERT INTO \"ops.v2\".dotted VALUES (3, 'c')");
            URI flush = URI.create("http://localhost:" + sidecar.httpPort() + "/flush");
            HttpResponse<String> ambiguous = post(http, flush, "{\"tables\":[\"ops.v2.dotted\"]}");
            assertEquals(400, ambiguous.statusCode(), ambiguous.body());
            HttpResponse<String> r = post(http, flush, "{\"tables\":[\"\\\"ops.v2\\\".dotted\"]}");
            assertEquals(200, r.statusCode(), r.body());
            Map<?, ?> entry = (Map<?, ?>) ((List<?>) ((Map<?, ?>) JsonParser.parse(r.body())).get("manifests")).get(0);
            assertEquals("\"ops.v2\".dotted", entry.get("table"));
            Result<VerifiedManifest> vm = fx.catalog(store).readManifest((String) entry.get("manifest_key"));
            assertTrue(vm.ok(), vm.problems().toString());
            Manifest m = vm.value().manifest();
            assertEquals("ops.v2", m.table().schema());
            assertEquals("dotted", m.table().name());
            Map<List<Object>, Integer> rows = fx.replay(store, m, m.coveredLsn());
            assertEquals(Map.of(List.of(1, "a"), 1, List.of(2, "b"), 1, List.of(3, "c"), 1), rows);
        }
    }

    private static HttpResponse<String> post(HttpClient http, URI uri, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer test-token-0123456789")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A steady load: 500 transactions/s, each updating 4 rows (2,000 changes/s). */
    private static void steadyLoad(PgDatabase db, AtomicBoolean stop, AtomicLong writes) {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("UPDATE accounts SET balance = balance + 1 WHERE id = ?")) {
            c.setAutoCommit(false);
            int i = 0;
            long next = System.nanoTime();
            while (!stop.get()) {
                for (int k = 0; k < 4; k++) {
                    ps.setInt(1, 1 + (i++ % 1000));
                    ps.executeUpdate();
                }
                c.commit();
                writes.addAndGet(4);
                next += 2_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                }
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
