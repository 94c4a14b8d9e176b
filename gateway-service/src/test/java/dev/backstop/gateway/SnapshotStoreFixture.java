package dev.backstop.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FileKind;
import dev.backstop.snapshot.Heartbeat;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.RecoveryPointPublisher;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.SourceInfo;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.ValueEncoding;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.parquet.RowFileWriter;
import dev.backstop.snapshot.store.S3ObjectStore;
import dev.backstop.snapshot.store.S3Settings;
import dev.backstop.testsupport.S3Endpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Recovery points written straight into the (real) S3 server with snapshot-format's publisher, and a
 * small HTTP server standing in for the sidecar's HTTP contract (POST /flush returns the recovery
 * points published here) and for an alert webhook receiver (POST /alerts, bodies kept).
 */
final class SnapshotStoreFixture implements AutoCloseable {
    static final String PREFIX = "gw";
    static final String SIDECAR_TOKEN = "sidecar-token-0123456789";
    static final List<ColumnSpec> COLS = List.of(ColumnSpec.of("id", "integer", ValueEncoding.INT32, false));
    private static final ObjectMapper JSON = new ObjectMapper();

    final S3Endpoint s3;
    final S3ObjectStore store;
    final SnapshotKeys keys = new SnapshotKeys(PREFIX);
    final RecoveryPointCatalog catalog;
    final String database;
    final Clock clock;
    final Path dir;
    final Map<String, VerifiedManifest> latest = new ConcurrentHashMap<>();
    final List<JsonNode> alerts = new CopyOnWriteArrayList<>();
    final List<JsonNode> flushRequests = new CopyOnWriteArrayList<>();
    /** HTTP status the fake /flush answers with (200 = the published manifests). */
    final AtomicInteger flushStatus = new AtomicInteger(200);
    /** When set, /flush announces itself on {@code flushEntered} and waits for this latch before answering. */
    volatile java.util.concurrent.CountDownLatch flushHold;
    final java.util.concurrent.Semaphore flushEntered = new java.util.concurrent.Semaphore(0);
    private final HttpServer http;
    private long nextLsn = 0x1000;

    SnapshotStoreFixture(S3Endpoint s3, String database, Clock clock) throws IOException {
        this.s3 = s3;
        this.store = S3ObjectStore.create(new S3Settings(s3.endpoint().toString(), s3.region(), s3.bucket(), PREFIX,
                true, s3.accessKey(), s3.secretKey()));
        this.catalog = new RecoveryPointCatalog(store, keys);
        this.database = database;
        this.clock = clock;
        this.dir = Files.createTempDirectory("gw-rp");
        this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        http.createContext("/flush", this::flush);
        http.createContext("/alerts", ex -> {
            try (ex) {
                alerts.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
                ex.sendResponseHeaders(204, -1);
            }
        });
        http.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    /** The gateway's snapshots: section for this store. */
    String snapshotsYaml() {
        return """
                endpoint: %s
                region: %s
                bucket: %s
                prefix: %s
                pathStyle: true
                accessKeyId: %s
                secretAccessKey: %s
                """.formatted(s3.endpoint(), s3.region(), s3.bucket(), PREFIX, s3.accessKey(), s3.secretKey());
    }

    /** The gateway: section lines pointing at the fake sidecar and the alert receiver. */
    String gatewayYaml() {
        return """
                sidecarUrl: %s
                sidecarToken: %s
                sidecarFlushTimeoutMs: 5000
                gateTimeoutMs: 5000
                alertWebhookUrl: %s/alerts
                """.formatted(baseUrl(), SIDECAR_TOKEN, baseUrl());
    }

    TableRef table(String qualified) {
        return TableRef.parse(database, qualified);
    }

    TableRef table(String schema, String name) {
        return new TableRef(database, schema, name);
    }

    /** Publishes a recovery point of {@code qualified} with these ids, created now (the given clock). */
    VerifiedManifest publish(String qualified, int... ids) throws IOException {
        return publish(table(qualified), ids);
    }

    /** The same for a table named by its parts; /flush knows it by its wire name ("ops.v2".orders). */
    VerifiedManifest publish(TableRef t, int... ids) throws IOException {
        String qualified = t.wireName();
        RecoveryPointPublisher pub = new RecoveryPointPublisher(store, keys, clock);
        Path base = Files.createTempFile(dir, "base-", ".parquet");
        Files.delete(base);
        try (RowFileWriter w = RowFileWriter.base(base, COLS)) {
            for (int id : ids) {
                w.writeRow(new Object[] {id});
            }
        }
        Lsn lsn = Lsn.of(nextLsn += 0x100);
        Instant now = clock.instant();
        String rp = SnapshotKeys.recoveryPointId(lsn, now);
        ManifestFile f = pub.uploadVerified(keys.basePart(t, rp, 0), base, FileKind.BASE, ids.length, lsn, lsn);
        Manifest m = new Manifest(1, rp, t, COLS, List.of("id"), new SourceInfo(database, "1", 1, "sc-test", "slot"),
                rp, lsn, lsn, null, now, List.of(f), (long) ids.length, null);
        VerifiedManifest vm = pub.writeManifest(m);
        pub.movePointer(vm);
        latest.put(qualified, vm);
        return vm;
    }

    /**
     * What the sidecar does for an idle table every flush interval: a new recovery point (new id, later covered
     * LSN) listing the same files as the latest one.
     */
    VerifiedManifest keepAlive(String qualified) {
        VerifiedManifest prev = latest.get(qualified);
        RecoveryPointPublisher pub = new RecoveryPointPublisher(store, keys, clock);
        Lsn lsn = Lsn.of(nextLsn += 0x100);
        Instant now = clock.instant();
        Manifest p = prev.manifest();
        String id = SnapshotKeys.recoveryPointId(lsn, now);
        Manifest m = new Manifest(1, id, p.table(), p.columns(), p.primaryKey(), p.source(), p.baseSnapshotId(),
                p.baseLsn(), lsn, null, now, p.files(), p.totalRows(), null);
        VerifiedManifest vm = pub.writeManifest(m);
        pub.movePointer(vm);
        latest.put(qualified, vm);
        return vm;
    }

    /** A heartbeat written at {@code writtenAt}, durable up to {@code durable}. */
    void heartbeat(Instant writtenAt, Lsn durable) {
        new RecoveryPointPublisher(store, keys, clock).writeHeartbeat(new Heartbeat(1, "sc-test", database, "1", "slot",
                writtenAt.toEpochMilli(), writtenAt, durable, durable, writtenAt));
    }

    private void flush(HttpExchange ex) throws IOException {
        try (ex) {
            JsonNode req = JSON.readTree(ex.getRequestBody().readAllBytes());
            flushRequests.add(req);
            java.util.concurrent.CountDownLatch hold = flushHold;
            if (hold != null) {
                flushEntered.release();
                try {
                    hold.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (!("Bearer " + SIDECAR_TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, "{\"error\":{\"code\":\"unauthorized\",\"message\":\"token\"}}");
                return;
            }
            if (flushStatus.get() != 200) {
                send(ex, flushStatus.get(), "{\"error\":{\"code\":\"flush_timeout\",\"message\":\"S3 or CDC is unhealthy\"}}");
                return;
            }
            var body = JSON.createObjectNode();
            var arr = body.putArray("manifests");
            Lsn max = Lsn.ZERO;
            for (JsonNode t : req.path("tables")) {
                VerifiedManifest vm = latest.get(t.asText());
                if (vm == null) {
                    send(ex, 422, "{\"error\":{\"code\":\"table_not_tracked\",\"message\":\"" + t.asText() + "\"}}");
                    return;
                }
                arr.addObject().put("table", t.asText()).put("manifest_key", vm.key())
                        .put("manifest_sha256", vm.manifest().manifestSha256())
                        .put("covered_lsn", vm.manifest().coveredLsn().toString());
                max = Lsn.max(max, vm.manifest().coveredLsn());
            }
            body.put("lsn", max.toString());
            send(ex, 200, body.toString());
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        store.close();
    }
}
