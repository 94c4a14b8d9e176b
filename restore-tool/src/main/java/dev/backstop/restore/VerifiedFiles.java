package dev.backstop.restore;

import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.Sha256;
import dev.backstop.snapshot.parquet.ParquetFiles;
import dev.backstop.snapshot.parquet.TableRebuilder;
import dev.backstop.snapshot.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Local copies of a manifest's files, each downloaded once and checked (size, full SHA-256, Parquet row count)
 * against the manifest before anything reads it. {@link #localFile} hands out only checked files.
 */
final class VerifiedFiles implements TableRebuilder.FileSource {
    private final ObjectStore store;
    private final Path dir;
    private final Map<String, Path> checked = new HashMap<>();
    private long bytes;

    VerifiedFiles(ObjectStore store, Path dir) {
        this.store = store;
        this.dir = dir;
    }

    /** Downloads and checks every file of {@code m}; returns the problems (empty = all good). */
    List<String> downloadAll(Manifest m) throws IOException {
        List<String> problems = new ArrayList<>();
        for (ManifestFile f : m.files()) {
            String p = download(f);
            if (p != null) {
                problems.add(p);
            }
        }
        return problems;
    }

    private String download(ManifestFile f) throws IOException {
        if (checked.containsKey(f.key())) {
            return null;
        }
        List<String> missing = f.missingMembers();
        if (!missing.isEmpty()) {
            return "file " + f.key() + " is unverified: missing " + String.join(", ", missing);
        }
        Path local = Files.createTempFile(dir, "rp-", ".parquet");
        if (!store.getToFile(f.key(), local)) {
            return "file " + f.key() + " is missing from the store";
        }
        long size = Files.size(local);
        if (size != f.bytes()) {
            return "file " + f.key() + " has " + size + " bytes, manifest says " + f.bytes();
        }
        String sha = Sha256.hex(local);
        if (!Sha256.constantTimeEquals(sha, f.sha256())) {
            return "file " + f.key() + " SHA-256 is " + sha + ", manifest says " + f.sha256();
        }
        long rows = ParquetFiles.rowCount(local);
        if (rows != f.rows()) {
            return "file " + f.key() + " has " + rows + " rows, manifest says " + f.rows();
        }
        checked.put(f.key(), local);
        bytes += size;
        return null;
    }

    long bytes() {
        return bytes;
    }

    @Override
    public Path localFile(ManifestFile file) {
        Path p = checked.get(file.key());
        if (p == null) {
            throw new IllegalStateException("file " + file.key() + " was not verified before reading");
        }
        return p;
    }
}
