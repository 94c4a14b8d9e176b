package dev.backstop.snapshot.store;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FileKind;
import dev.backstop.snapshot.FormatCodec;
import dev.backstop.snapshot.Heartbeat;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.QuarantineMarker;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.RecoveryPointPublisher;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.SourceInfo;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.ValueEncoding;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.parquet.RowFileWriter;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

@ExtendWith(S3ServerExtension.class)
class RecoveryPointCatalogIT {
    static S3Endpoint s3;
    static final TableRef T = new TableRef("app", "public", "items");
    static final List<ColumnSpec> COLS = List.of(ColumnSpec.of("id", "integer", ValueEncoding.INT32, false));

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp(S3Endpoint endpoint) {
        s3 = endpoint;
    }

    private S3ObjectStore store() {
        return S3ObjectStore.create(new S3Settings(s3.endpoint().toString(), s3.region(), s3.bucket(), "bs", true,
                s3.accessKey(), s3.secretKey()));
    }

    @Test
    void conditionalWritesAreEnforced() {
        try (S3ObjectStore store = store()) {
            String etag = store.putIfAbsent("cond/x", "1".getBytes(StandardCharsets.UTF_8));
            assertThrows(PreconditionFailedException.class, () -> store.putIfAbsent("cond/x", new byte[]{2}));
            String etag2 = store.putIfMatch("cond/x", "2".getBytes(StandardCharsets.UTF_8), etag);
            assertThrows(PreconditionFailedException.class, () -> store.putIfMatch("cond/x", new byte[]{3}, etag));
            assertEquals(new ObjectMeta("cond/x", 1, etag2), store.head("cond/x").orElseThrow());
            assertEquals("2", new String(store.get("cond/x").orElseThrow(), StandardCharsets.UTF_8));
            assertEquals(List.of("cond/x"), store.list("cond/").stream().map(ObjectMeta::key).toList());
            store.delete("cond/x");
            assertTrue(store.get("cond/x").isEmpty());
            assertTrue(store.head("cond/x").isEmpty());
        }
    }

    @Test
    void publishThenReadAndVerifyAtEveryLevel() throws Exception {
        try (S3ObjectStore store = store()) {
            SnapshotKeys keys = new SnapshotKeys("bs");
            Clock clock = Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC);
            RecoveryPointPublisher pub = new RecoveryPointPublisher(store, keys, clock);
            RecoveryPointCatalog cat = new RecoveryPointCatalog(store, keys);
            assertFalse(cat.latestManifest(T).ok());

            Path base = dir.resolve("b.parquet");
            try (RowFileWriter w = RowFileWriter.base(base, COLS)) {
                w.writeRow(new Object[]{1});
                w.writeRow(new Object[]{2});
            }
            Lsn lsn = Lsn.parse("0/100");
            String snap = SnapshotKeys.recoveryPointId(lsn, clock.instant());
            ManifestFile f = pub.uploadVerified(keys.basePart(T, snap, 0), base, FileKind.BASE, 2, lsn, lsn);
            Manifest m = new Manifest(1, snap, T, COLS, List.of("id"), new SourceInfo("app", "1", 1, "s1", "slot"),
                    snap, lsn, lsn, null, clock.instant(), List.of(f), 2L, null);
            VerifiedManifest vm = pub.writeManifest(m);
            assertTrue(pub.movePointer(vm));
            assertFalse(pub.movePointer(vm), "same recovery point again does not move the pointer");

            Result<VerifiedManifest> latest = cat.latestManifest(T);
            assertTrue(latest.ok(), latest.problems().toString());
            assertEquals(vm, latest.value());
            assertTrue(cat.verifyFilesPresent(latest.value().manifest()).ok());
            assertTrue(cat.verifyFull(latest.value().manifest(), dir).ok());
            assertEquals(List.of(T), cat.listTables());
            assertEquals(1, cat.listRecoveryPoints(T).size());

            // A changed data file is caught by HEAD (size/etag) and by the full check.
            store.put(f.key(), new byte[]{1, 2, 3});
            assertTrue(cat.verifyFilesPresent(m).problems().get(0).contains("has 3 bytes"));
            assertFalse(cat.verifyFull(m, dir).ok());
            store.delete(f.key());
            assertTrue(cat.verifyFilesPresent(m).problems().get(0).contains("missing from the store"));

            // A tampered manifest fails its checksum.
            byte[] raw = store.get(vm.key()).orElseThrow();
            store.put(vm.key(), new String(raw, StandardCharsets.UTF_8).replace("\"total_rows\":2", "\"total_rows\":3")
                    .getBytes(StandardCharsets.UTF_8));
            Result<VerifiedManifest> bad = cat.latestManifest(T);
            assertFalse(bad.ok());
            assertTrue(bad.problems().get(0).contains("mismatch"), bad.problems().toString());

            // Quarantine and heartbeat.
            assertFalse(cat.isQuarantined(T, snap));
            cat.putQuarantine(new QuarantineMarker(1, T, snap, "test", "op", clock.instant()));
            assertTrue(cat.isQuarantined(T, snap));
            assertEquals("test", cat.listQuarantine(T).get(0).reason());
            cat.removeQuarantine(T, snap);
            assertFalse(cat.isQuarantined(T, snap));
            Heartbeat hb = new Heartbeat(1, "s1", "app", "1", "slot", 1, clock.instant(), lsn, lsn, clock.instant());
            pub.writeHeartbeat(hb);
            assertEquals(hb, cat.readHeartbeat("s1").orElseThrow());
            assertEquals(List.of(hb), cat.listHeartbeats());
            assertArrayEquals(FormatCodec.writeHeartbeat(hb), store.get(keys.heartbeat("s1")).orElseThrow());
        }
    }
}
