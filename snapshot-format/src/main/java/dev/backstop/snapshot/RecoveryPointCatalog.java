package dev.backstop.snapshot;

import dev.backstop.snapshot.parquet.ParquetFiles;
import dev.backstop.snapshot.store.ObjectMeta;
import dev.backstop.snapshot.store.ObjectStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Read side of the format, shared by the gateway's recovery gate and the restore tool. Every method that verifies
 * returns problems instead of throwing for bad content; {@link dev.backstop.snapshot.store.ObjectStoreException}
 * (store unreachable) propagates, and callers must treat it as a failure.
 */
public final class RecoveryPointCatalog {
    private final ObjectStore store;
    private final SnapshotKeys keys;

    public RecoveryPointCatalog(ObjectStore store, SnapshotKeys keys) {
        this.store = store;
        this.keys = keys;
    }

    public SnapshotKeys keys() {
        return keys;
    }

    /** Tables that have at least one object under {@code tables/}. */
    public List<TableRef> listTables() {
        TreeSet<TableRef> out = new TreeSet<>();
        String root = keys.tablesRoot();
        for (ObjectMeta o : store.list(root)) {
            String[] parts = o.key().substring(root.length()).split("/", 3);
            if (parts.length == 3) {
                SnapshotKeys.parseTablePath(parts[0], parts[1]).ifPresent(out::add);
            }
        }
        return new ArrayList<>(out);
    }

    /** Every recovery point of a table, oldest (lowest LSN) first. */
    public List<RecoveryPointRef> listRecoveryPoints(TableRef table) {
        List<RecoveryPointRef> out = new ArrayList<>();
        for (ObjectMeta o : store.list(keys.manifestsPrefix(table))) {
            SnapshotKeys.recoveryPointIdOfKey(o.key()).ifPresent(id -> out.add(
                    new RecoveryPointRef(table, id, o.key(), SnapshotKeys.lsnOfId(id).orElseThrow())));
        }
        return out;
    }

    public Optional<LatestPointer> readLatest(TableRef table) {
        return store.get(keys.latest(table)).map(FormatCodec::parseLatest);
    }

    /**
     * Reads a manifest and checks its own checksum and the completeness of its file entries.
     *
     * @return the manifest, or the problems that make it unusable
     */
    public Result<VerifiedManifest> readManifest(String manifestKey) {
        Result<Manifest> read = readChecksummed(manifestKey, "manifest", FieldNames.MANIFEST_SHA256,
                FormatCodec::parseManifest);
        if (!read.ok()) {
            return Result.failed(read.problems());
        }
        Manifest m = read.value();
        List<String> problems = new ArrayList<>();
        if (m.files().stream().noneMatch(f -> f.kind() == FileKind.BASE)) {
            problems.add("manifest " + manifestKey + " lists no base file");
        }
        for (ManifestFile f : m.files()) {
            List<String> missing = f.missingMembers();
            if (!missing.isEmpty()) {
                problems.add("file " + f.key() + " is unverified: missing " + String.join(", ", missing));
            }
        }
        if (m.totalRows() == null) {
            problems.add("manifest " + manifestKey + " has no total_rows (unverified)");
        }
        if (m.coveredLsn().compareTo(m.baseLsn()) < 0) {
            problems.add("manifest " + manifestKey + " covers an LSN before its base");
        }
        return problems.isEmpty() ? Result.ok(new VerifiedManifest(manifestKey, m)) : Result.failed(problems);
    }

    /**
     * The table's current recovery point: {@code latest.json}, then the manifest it names, whose checksum must match
     * both its content and the pointer.
     */
    public Result<VerifiedManifest> latestManifest(TableRef table) {
        Optional<LatestPointer> p;
        try {
            p = readLatest(table);
        } catch (FormatException e) {
            return Result.failed("latest.json of " + table.qualifiedName() + " is malformed: " + e.getMessage());
        }
        if (p.isEmpty()) {
            return Result.failed("no recovery point for " + table.qualifiedName());
        }
        Result<VerifiedManifest> r = readManifest(p.get().manifestKey());
        if (!r.ok()) {
            return r;
        }
        String inManifest = r.value().manifest().manifestSha256();
        if (!Sha256.constantTimeEquals(inManifest, p.get().manifestSha256())) {
            return Result.failed("latest.json of " + table.qualifiedName() + " names manifest checksum "
                    + p.get().manifestSha256() + " but the manifest's is " + inManifest);
        }
        return r;
    }

    /** The newest recovery point whose covered LSN is at or before {@code lsn} (by listing, then verifying). */
    public Result<VerifiedManifest> recoveryPointAtOrBefore(TableRef table, Lsn lsn) {
        List<RecoveryPointRef> all = listRecoveryPoints(table);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).coveredLsn().compareTo(lsn) <= 0) {
                return readManifest(all.get(i).manifestKey());
            }
        }
        return Result.failed("no recovery point of " + table.qualifiedName() + " at or before " + lsn);
    }

    /** Level 2: HEAD every listed file and compare size and ETag with the manifest. */
    public Verification verifyFilesPresent(Manifest m) {
        List<String> problems = new ArrayList<>();
        for (ManifestFile f : m.files()) {
            List<String> missing = f.missingMembers();
            if (!missing.isEmpty()) {
                problems.add("file " + f.key() + " is unverified: missing " + String.join(", ", missing));
                continue;
            }
            Optional<ObjectMeta> h = store.head(f.key());
            if (h.isEmpty()) {
                problems.add("file " + f.key() + " is missing from the store");
            } else if (h.get().size() != f.bytes()) {
                problems.add("file " + f.key() + " has " + h.get().size() + " bytes, manifest says " + f.bytes());
            } else if (!f.etag().equals(h.get().etag())) {
                problems.add("file " + f.key() + " has ETag " + h.get().etag() + ", manifest says " + f.etag());
            }
        }
        return Verification.of(problems);
    }

    /** Level 3: download every listed file, compare SHA-256, size and Parquet row count. */
    public Verification verifyFull(Manifest m, Path workDir) {
        List<String> problems = new ArrayList<>();
        for (ManifestFile f : m.files()) {
            List<String> missing = f.missingMembers();
            if (!missing.isEmpty()) {
                problems.add("file " + f.key() + " is unverified: missing " + String.join(", ", missing));
                continue;
            }
            Path tmp = null;
            try {
                tmp = Files.createTempFile(workDir, "verify-", ".parquet");
                if (!store.getToFile(f.key(), tmp)) {
                    problems.add("file " + f.key() + " is missing from the store");
                    continue;
                }
                long size = Files.size(tmp);
                String sha = Sha256.hex(tmp);
                if (size != f.bytes()) {
                    problems.add("file " + f.key() + " has " + size + " bytes, manifest says " + f.bytes());
                } else if (!sha.equals(f.sha256())) {
                    problems.add("file " + f.key() + " SHA-256 is " + sha + ", manifest says " + f.sha256());
                } else {
                    long rows = ParquetFiles.rowCount(tmp);
                    if (rows != f.rows()) {
                        problems.add("file " + f.key() + " has " + rows + " rows, manifest says " + f.rows());
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof dev.backstop.snapshot.store.ObjectStoreException ose) {
                    throw ose;
                }
                problems.add("file " + f.key() + " could not be verified: " + e.getMessage());
            } finally {
                if (tmp != null) {
                    try {
                        Files.deleteIfExists(tmp);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        return Verification.of(problems);
    }

    public Optional<QuarantineMarker> quarantine(TableRef table, String recoveryPointId) {
        return store.get(keys.quarantine(table, recoveryPointId)).map(FormatCodec::parseQuarantine);
    }

    /**
     * True if a marker object exists. A marker that exists but cannot be parsed still counts as quarantined
     * (fail closed).
     */
    public boolean isQuarantined(TableRef table, String recoveryPointId) {
        return store.head(keys.quarantine(table, recoveryPointId)).isPresent();
    }

    /**
     * Why the data of {@code m} is quarantined, if it is: {@code m} itself is, or one of its files is listed by a
     * quarantined recovery point of the table. The sidecar's later recovery points (keep-alives, deltas added)
     * list the same base and delta files under new ids: a quarantine is about those files, so it reaches every
     * point that still uses them. A quarantined point whose manifest cannot be read taints every point of the
     * table (its files are unknown: fail closed).
     */
    public Optional<String> quarantinedData(TableRef table, Manifest m) {
        if (isQuarantined(table, m.recoveryPointId())) {
            return Optional.of("recovery point " + m.recoveryPointId() + " is quarantined");
        }
        List<ObjectMeta> markers = store.list(keys.quarantinePrefix(table));
        if (markers.isEmpty()) {
            return Optional.empty();
        }
        java.util.Set<String> files = new java.util.HashSet<>();
        m.files().forEach(f -> files.add(f.key()));
        for (QuarantineMarker q : listQuarantine(table)) {
            Result<VerifiedManifest> other = readManifest(keys.manifest(table, q.recoveryPointId()));
            if (!other.ok()) {
                return Optional.of("quarantined recovery point " + q.recoveryPointId() + " cannot be read, so which files"
                        + " it covers is unknown");
            }
            for (ManifestFile f : other.value().manifest().files()) {
                if (files.contains(f.key())) {
                    return Optional.of("recovery point " + m.recoveryPointId() + " uses " + f.key()
                            + " of quarantined recovery point " + q.recoveryPointId());
                }
            }
        }
        return Optional.empty();
    }

    public List<QuarantineMarker> listQuarantine(TableRef table) {
        List<QuarantineMarker> out = new ArrayList<>();
        for (ObjectMeta o : store.list(keys.quarantinePrefix(table))) {
            store.get(o.key()).map(FormatCodec::parseQuarantine).ifPresent(out::add);
        }
        return out;
    }

    public void putQuarantine(QuarantineMarker marker) {
        store.put(keys.quarantine(marker.table(), marker.recoveryPointId()), FormatCodec.writeQuarantine(marker));
    }

    public void removeQuarantine(TableRef table, String recoveryPointId) {
        store.delete(keys.quarantine(table, recoveryPointId));
    }

    public Optional<Heartbeat> readHeartbeat(String sidecarId) {
        return store.get(keys.heartbeat(sidecarId)).map(FormatCodec::parseHeartbeat);
    }

    /** Every published heartbeat (one per sidecar). Unparseable ones are skipped (they prove nothing). */
    public List<Heartbeat> listHeartbeats() {
        List<Heartbeat> out = new ArrayList<>();
        for (ObjectMeta o : store.list(keys.heartbeatPrefix())) {
            try {
                store.get(o.key()).map(FormatCodec::parseHeartbeat).ifPresent(out::add);
            } catch (FormatException e) {
                // not a heartbeat we can trust: ignore it, the gate then sees no current heartbeat
            }
        }
        return out;
    }

    /** Group recovery points of a group, oldest first (keys only; read with {@link #readGroup}). */
    public List<String> listGroupRecoveryPointKeys(String group) {
        List<String> out = new ArrayList<>();
        for (ObjectMeta o : store.list(keys.groupPrefix(group))) {
            if (o.key().endsWith(".json")) {
                out.add(o.key());
            }
        }
        return out;
    }

    /** Reads a group recovery point and checks its own checksum. */
    public Result<GroupRecoveryPoint> readGroup(String key) {
        return readChecksummed(key, "group recovery point", FieldNames.GROUP_SHA256, FormatCodec::parseGroup);
    }

    /** Reads a document that carries its own SHA-256 in {@code shaField}, checks it, then parses it. */
    private <T> Result<T> readChecksummed(String key, String what, String shaField,
                                          java.util.function.Function<byte[], T> parse) {
        Optional<byte[]> raw = store.get(key);
        if (raw.isEmpty()) {
            return Result.failed(what + " " + key + " does not exist");
        }
        Optional<String> bad = ChecksummedDocument.verify(raw.get(), shaField);
        if (bad.isPresent()) {
            return Result.failed(what + " " + key + ": " + bad.get());
        }
        try {
            return Result.ok(parse.apply(raw.get()));
        } catch (FormatException | IllegalArgumentException e) {
            return Result.failed(what + " " + key + " is malformed: " + e.getMessage());
        }
    }

    /** The newest group recovery point of a group whose checksum verifies. */
    public Result<GroupRecoveryPoint> latestGroup(String group) {
        List<String> all = listGroupRecoveryPointKeys(group);
        if (all.isEmpty()) {
            return Result.failed("no group recovery point for group " + group);
        }
        return readGroup(all.get(all.size() - 1));
    }
}
