package dev.backstop.snapshot;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/** The S3 key layout (docs/snapshot-format.md section 1). */
public final class SnapshotKeys {
    private final String prefix;

    public SnapshotKeys(String prefix) {
        String p = prefix == null ? "" : prefix;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        this.prefix = p;
    }

    public String prefix() {
        return prefix;
    }

    private String root() {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    /** {@code {prefix}/tables/{db}/{schema}.{table}/} */
    public String tableRoot(TableRef t) {
        return root() + "tables/" + encode(t.database()) + "/" + encode(t.schema()) + "." + encode(t.name()) + "/";
    }

    /** {@code {prefix}/tables/} : list it to discover tables. */
    public String tablesRoot() {
        return root() + "tables/";
    }

    public String basePart(TableRef t, String snapshotId, int part) {
        return tableRoot(t) + "base/" + snapshotId + "/" + partName(part);
    }

    public String deltaPart(TableRef t, Lsn from, Lsn to, int part) {
        return tableRoot(t) + "delta/" + from.keyForm() + "-" + to.keyForm() + "/" + partName(part);
    }

    public String manifestsPrefix(TableRef t) {
        return tableRoot(t) + "manifests/";
    }

    public String manifest(TableRef t, String recoveryPointId) {
        return manifestsPrefix(t) + recoveryPointId + ".json";
    }

    public String latest(TableRef t) {
        return tableRoot(t) + "latest.json";
    }

    public String heartbeat(String sidecarId) {
        return root() + "heartbeat/" + encode(sidecarId) + ".json";
    }

    public String heartbeatPrefix() {
        return root() + "heartbeat/";
    }

    public String quarantinePrefix(TableRef t) {
        return root() + "quarantine/" + encode(t.database()) + "/" + encode(t.schema()) + "." + encode(t.name()) + "/";
    }

    public String quarantine(TableRef t, String recoveryPointId) {
        return quarantinePrefix(t) + recoveryPointId + ".json";
    }

    public String groupPrefix(String group) {
        return root() + "groups/" + encode(group) + "/";
    }

    public String groupsRoot() {
        return root() + "groups/";
    }

    public String groupRecoveryPoint(String group, String recoveryPointId) {
        return groupPrefix(group) + recoveryPointId + ".json";
    }

    /** {@code {lsn16}-{millis13}}: sorts by LSN, then creation time. */
    public static String recoveryPointId(Lsn covered, Instant createdAt) {
        return covered.keyForm() + "-" + String.format(Locale.ROOT, "%013d", createdAt.toEpochMilli());
    }

    /** The LSN part of a recovery point or snapshot id, if it has the expected shape. */
    public static Optional<Lsn> lsnOfId(String id) {
        if (id == null || id.length() != 30 || id.charAt(16) != '-') {
            return Optional.empty();
        }
        try {
            return Optional.of(Lsn.parseKeyForm(id.substring(0, 16)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The creation time part of a recovery point or snapshot id, if it has the expected shape. */
    public static Optional<Instant> createdAtOfId(String id) {
        if (lsnOfId(id).isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(id.substring(17))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The recovery point id of a manifest key ({@code .../manifests/{id}.json}), if it is one. */
    public static Optional<String> recoveryPointIdOfKey(String key) {
        int slash = key.lastIndexOf('/');
        if (!key.endsWith(".json") || slash < 0) {
            return Optional.empty();
        }
        String id = key.substring(slash + 1, key.length() - 5);
        return lsnOfId(id).isPresent() ? Optional.of(id) : Optional.empty();
    }

    static String partName(int part) {
        return String.format(Locale.ROOT, "part-%05d.parquet", part);
    }

    /** Percent-encodes every byte outside {@code A-Z a-z 0-9 _ -}. */
    public static String encode(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (byte x : name.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return b.toString();
    }

    public static String decode(String encoded) {
        byte[] out = new byte[encoded.length()];
        int n = 0;
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%' && i + 2 < encoded.length() + 0 && i + 2 <= encoded.length() - 1) {
                out[n++] = (byte) Integer.parseInt(encoded.substring(i + 1, i + 3), 16);
                i += 2;
            } else {
                out[n++] = (byte) c;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    /** Parses {@code {db}/{schema}.{table}} (the part of a key after {@code tables/}). */
    public static Optional<TableRef> parseTablePath(String dbSegment, String tableSegment) {
        int dot = tableSegment.indexOf('.');
        if (dot <= 0 || dot != tableSegment.lastIndexOf('.') || dot == tableSegment.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new TableRef(decode(dbSegment), decode(tableSegment.substring(0, dot)),
                decode(tableSegment.substring(dot + 1))));
    }
}
