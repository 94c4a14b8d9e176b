package dev.backstop.snapshot;

import dev.backstop.snapshot.store.ObjectMeta;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.snapshot.store.ObjectStoreException;
import dev.backstop.snapshot.store.PreconditionFailedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * Write side of the format, in the order that keeps readers safe (spec principle 1): data file uploaded and read back,
 * then the manifest, then {@code latest.json} with a conditional write that only moves forward.
 */
public final class RecoveryPointPublisher {
    private final ObjectStore store;
    private final SnapshotKeys keys;
    private final Clock clock;

    public RecoveryPointPublisher(ObjectStore store, SnapshotKeys keys, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.clock = clock;
    }

    public SnapshotKeys keys() {
        return keys;
    }

    /**
     * Uploads a local Parquet file, then reads it back and confirms size and SHA-256 before returning its entry.
     * Throws {@link ObjectStoreException} if the store fails or the read-back differs.
     */
    public ManifestFile uploadVerified(String key, Path file, FileKind kind, long rows, Lsn minLsn, Lsn maxLsn) {
        try {
            long size = Files.size(file);
            String sha = Sha256.hex(file);
            String etag = store.putFile(key, file);
            Path back = Files.createTempFile(file.getParent(), "readback-", ".tmp");
            try {
                if (!store.getToFile(key, back)) {
                    throw new ObjectStoreException("uploaded " + key + " but it cannot be read back");
                }
                String backSha = Sha256.hex(back);
                if (Files.size(back) != size || !backSha.equals(sha)) {
                    throw new ObjectStoreException("read-back of " + key + " differs from what was uploaded");
                }
            } finally {
                Files.deleteIfExists(back);
            }
            ObjectMeta head = store.head(key).orElseThrow(() -> new ObjectStoreException("uploaded " + key + " vanished"));
            if (head.size() != size) {
                throw new ObjectStoreException("uploaded " + key + " has size " + head.size() + ", expected " + size);
            }
            return new ManifestFile(key, kind, sha, size, rows, minLsn, maxLsn, etag != null ? etag : head.etag());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the manifest (never overwriting one) and returns it with its checksum and key. */
    public VerifiedManifest writeManifest(Manifest m) {
        for (ManifestFile f : m.files()) {
            if (!f.missingMembers().isEmpty()) {
                throw new IllegalArgumentException("file " + f.key() + " lacks " + f.missingMembers());
            }
        }
        byte[] bytes = FormatCodec.writeManifest(m);
        String key = keys.manifest(m.table(), m.recoveryPointId());
        putOnce(key, bytes);
        return new VerifiedManifest(key, FormatCodec.parseManifest(bytes));
    }

    /**
     * Moves {@code latest.json} to this manifest if it covers a later LSN than the current pointer (conditional
     * write; retried on a lost race). Returns false if the current pointer is already at or beyond it.
     */
    public boolean movePointer(VerifiedManifest vm) {
        Manifest m = vm.manifest();
        String key = keys.latest(m.table());
        byte[] body = FormatCodec.writeLatest(new LatestPointer(1, m.table(), m.recoveryPointId(), vm.key(),
                m.manifestSha256(), m.coveredLsn(), clock.instant()));
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<ObjectMeta> head = store.head(key);
            try {
                if (head.isEmpty()) {
                    store.putIfAbsent(key, body);
                    return true;
                }
                Optional<byte[]> current = store.get(key);
                if (current.isPresent()) {
                    LatestPointer p;
                    try {
                        p = FormatCodec.parseLatest(current.get());
                    } catch (FormatException e) {
                        p = null; // a broken pointer is replaced
                    }
                    if (p != null && p.coveredLsn().compareTo(m.coveredLsn()) > 0) {
                        return false;
                    }
                    if (p != null && p.recoveryPointId().compareTo(m.recoveryPointId()) >= 0
                            && p.coveredLsn().equals(m.coveredLsn())) {
                        return false;
                    }
                }
                store.putIfMatch(key, body, head.get().etag());
                return true;
            } catch (PreconditionFailedException e) {
                // another writer moved it in between: look again
            }
        }
        throw new ObjectStoreException("latest.json of " + m.table().qualifiedName() + " keeps changing under us");
    }

    /** Writes a group recovery point (never overwriting one). */
    public String writeGroup(GroupRecoveryPoint g) {
        String key = keys.groupRecoveryPoint(g.group(), g.recoveryPointId());
        putOnce(key, FormatCodec.writeGroup(g));
        return key;
    }

    /**
     * Writes an immutable document that must not replace another. A lost race with identical bytes is our own write
     * retried by the HTTP client after a lost response, and counts as success; different bytes are a real conflict.
     */
    private void putOnce(String key, byte[] bytes) {
        try {
            store.putIfAbsent(key, bytes);
        } catch (PreconditionFailedException e) {
            Optional<byte[]> existing = store.get(key);
            if (existing.isEmpty() || !java.util.Arrays.equals(existing.get(), bytes)) {
                throw e;
            }
        }
    }

    public void writeHeartbeat(Heartbeat h) {
        store.put(keys.heartbeat(h.sidecarId()), FormatCodec.writeHeartbeat(h));
    }
}
