package dev.backstop.restore;

import java.time.Instant;

/** Parts of a recovery point / snapshot id {@code {lsn16}-{millis13}} (docs/snapshot-format.md section 1). */
final class SnapshotIds {
    private SnapshotIds() {
    }

    /** The creation time encoded in the id, or null if the id has another shape. */
    static Instant createdAt(String id) {
        if (id == null) {
            return null;
        }
        int dash = id.lastIndexOf('-');
        if (dash < 0 || dash == id.length() - 1) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(id.substring(dash + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
