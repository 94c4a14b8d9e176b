package dev.backstop.snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One data file listed by a manifest. {@code sha256}, {@code bytes}, {@code rows}, {@code etag} may be null when
 * a document lacks them: that makes the file (and the manifest) unverified, never fine.
 */
public record ManifestFile(String key, FileKind kind, String sha256, Long bytes, Long rows,
                           Lsn minLsn, Lsn maxLsn, String etag) {
    public ManifestFile {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
    }

    /** Why this entry cannot be verified; empty when every member is present and well-formed. */
    public List<String> missingMembers() {
        List<String> out = new ArrayList<>();
        if (!Sha256.isHex64(sha256)) {
            out.add("sha256");
        }
        if (bytes == null || bytes < 0) {
            out.add("bytes");
        }
        if (rows == null || rows < 0) {
            out.add("rows");
        }
        if (minLsn == null) {
            out.add("min_lsn");
        }
        if (maxLsn == null) {
            out.add("max_lsn");
        }
        if (etag == null || etag.isEmpty()) {
            out.add("etag");
        }
        return out;
    }
}
