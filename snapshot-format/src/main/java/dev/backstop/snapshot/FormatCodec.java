package dev.backstop.snapshot;

import dev.backstop.snapshot.json.CanonicalJsonWriter;
import dev.backstop.snapshot.json.JsonObject;
import dev.backstop.snapshot.json.JsonParser;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static dev.backstop.snapshot.FieldNames.*;

/**
 * Canonical JSON writer and tolerant parser for every document of the format (version 1). Writers emit exactly the
 * members of the spec, in spec order; parsers ignore unknown members and refuse newer format versions.
 */
public final class FormatCodec {
    private static final DateTimeFormatter MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private FormatCodec() {
    }

    // ---------------------------------------------------------------- manifest

    /** Canonical bytes of the manifest including its checksum member (computed here). */
    public static byte[] writeManifest(Manifest m) {
        CanonicalJsonWriter w = new CanonicalJsonWriter().beginObject();
        w.name(FORMAT_VERSION).value(Manifest.FORMAT_VERSION);
        w.name(RECOVERY_POINT_ID).value(m.recoveryPointId());
        writeTable(w.name(TABLE), m.table());
        w.name(COLUMNS).beginArray();
        for (ColumnSpec c : m.columns()) {
            w.beginObject().name(NAME).value(c.name()).name(PG_TYPE).value(c.pgType())
                    .name(ENCODING).value(c.encoding().wireName()).name(NULLABLE).value(c.nullable());
            if (c.precision() != null) {
                w.name(PRECISION).value(c.precision()).name(SCALE).value(c.scale());
            }
            w.endObject();
        }
        w.endArray();
        w.name(PRIMARY_KEY).beginArray();
        for (String k : m.primaryKey()) {
            w.value(k);
        }
        w.endArray();
        SourceInfo s = m.source();
        w.name(SOURCE).beginObject().name(DATABASE).value(s.database())
                .name(SYSTEM_IDENTIFIER).value(s.systemIdentifier()).name(TIMELINE).value(s.timeline())
                .name(SIDECAR_ID).value(s.sidecarId()).name(SLOT_NAME).value(s.slotName()).endObject();
        w.name(BASE_SNAPSHOT_ID).value(m.baseSnapshotId());
        w.name(BASE_LSN).value(m.baseLsn().toString());
        w.name(COVERED_LSN).value(m.coveredLsn().toString());
        w.name(COVERED_COMMIT_TIME).value(m.coveredCommitTime() == null ? null : micros(m.coveredCommitTime()));
        w.name(CREATED_AT).value(millis(m.createdAt()));
        w.name(FILES).beginArray();
        for (ManifestFile f : m.files()) {
            w.beginObject().name(KEY).value(f.key()).name(KIND).value(f.kind().wireName())
                    .optional(SHA256, f.sha256()).optional(BYTES, f.bytes()).optional(ROWS, f.rows())
                    .optional(MIN_LSN, f.minLsn() == null ? null : f.minLsn().toString())
                    .optional(MAX_LSN, f.maxLsn() == null ? null : f.maxLsn().toString())
                    .optional(ETAG, f.etag()).endObject();
        }
        w.endArray();
        w.optional(TOTAL_ROWS, m.totalRows());
        w.endObject();
        return appendChecksum(w.toJson(), MANIFEST_SHA256);
    }

    /** Parses a manifest. Does not verify the checksum: use {@link ChecksummedDocument#verify}. */
    public static Manifest parseManifest(byte[] bytes) {
        JsonObject o = parseVersioned(bytes);
        List<ColumnSpec> cols = new ArrayList<>();
        for (JsonObject c : o.requireObjectList(COLUMNS)) {
            ValueEncoding enc = ValueEncoding.fromWire(c.requireString(ENCODING));
            Long p = c.optLong(PRECISION);
            Long sc = c.optLong(SCALE);
            cols.add(new ColumnSpec(c.requireString(NAME), c.requireString(PG_TYPE), enc, c.requireBoolean(NULLABLE),
                    enc == ValueEncoding.DECIMAL ? toInt(p, PRECISION) : null,
                    enc == ValueEncoding.DECIMAL ? toInt(sc, SCALE) : null));
        }
        JsonObject s = o.requireObject(SOURCE);
        SourceInfo source = new SourceInfo(s.requireString(DATABASE), s.requireString(SYSTEM_IDENTIFIER),
                s.requireLong(TIMELINE), s.requireString(SIDECAR_ID), s.requireString(SLOT_NAME));
        List<ManifestFile> files = new ArrayList<>();
        for (JsonObject f : o.requireObjectList(FILES)) {
            files.add(new ManifestFile(f.requireString(KEY), FileKind.fromWire(f.requireString(KIND)),
                    f.optString(SHA256), f.optLong(BYTES), f.optLong(ROWS), f.optLsn(MIN_LSN), f.optLsn(MAX_LSN),
                    f.optString(ETAG)));
        }
        return new Manifest((int) o.requireLong(FORMAT_VERSION), o.requireString(RECOVERY_POINT_ID),
                readTable(o.requireObject(TABLE)), cols, o.requireStringList(PRIMARY_KEY), source,
                o.requireString(BASE_SNAPSHOT_ID), o.requireLsn(BASE_LSN), o.requireLsn(COVERED_LSN),
                o.optInstant(COVERED_COMMIT_TIME), o.requireInstant(CREATED_AT), files, o.optLong(TOTAL_ROWS),
                o.optString(MANIFEST_SHA256));
    }

    // ---------------------------------------------------------------- latest.json

    public static byte[] writeLatest(LatestPointer p) {
        CanonicalJsonWriter w = new CanonicalJsonWriter().beginObject();
        w.name(FORMAT_VERSION).value(Manifest.FORMAT_VERSION);
        writeTable(w.name(TABLE), p.table());
        w.name(RECOVERY_POINT_ID).value(p.recoveryPointId());
        w.name(MANIFEST_KEY).value(p.manifestKey());
        w.name(MANIFEST_SHA256).value(p.manifestSha256());
        w.name(COVERED_LSN).value(p.coveredLsn().toString());
        w.name(UPDATED_AT).value(millis(p.updatedAt()));
        return w.endObject().toBytes();
    }

    public static LatestPointer parseLatest(byte[] bytes) {
        JsonObject o = parseVersioned(bytes);
        return new LatestPointer((int) o.requireLong(FORMAT_VERSION), readTable(o.requireObject(TABLE)),
                o.requireString(RECOVERY_POINT_ID), o.requireString(MANIFEST_KEY), o.requireString(MANIFEST_SHA256),
                o.requireLsn(COVERED_LSN), o.requireInstant(UPDATED_AT));
    }

    // ---------------------------------------------------------------- heartbeat

    public static byte[] writeHeartbeat(Heartbeat h) {
        CanonicalJsonWriter w = new CanonicalJsonWriter().beginObject();
        w.name(FORMAT_VERSION).value(Manifest.FORMAT_VERSION);
        w.name(SIDECAR_ID).value(h.sidecarId());
        w.name(DATABASE).value(h.database());
        w.name(SYSTEM_IDENTIFIER).value(h.systemIdentifier());
        w.name(SLOT_NAME).value(h.slotName());
        w.name(SEQUENCE).value(h.sequence());
        w.name(WRITTEN_AT).value(micros(h.writtenAt()));
        w.name(LSN).value(h.lsn().toString());
        w.name(DURABLE_LSN).value(h.durableLsn().toString());
        w.name(PUBLISHED_AT).value(millis(h.publishedAt()));
        return w.endObject().toBytes();
    }

    public static Heartbeat parseHeartbeat(byte[] bytes) {
        JsonObject o = parseVersioned(bytes);
        return new Heartbeat((int) o.requireLong(FORMAT_VERSION), o.requireString(SIDECAR_ID),
                o.requireString(DATABASE), o.requireString(SYSTEM_IDENTIFIER), o.requireString(SLOT_NAME),
                o.requireLong(SEQUENCE), o.requireInstant(WRITTEN_AT), o.requireLsn(LSN), o.requireLsn(DURABLE_LSN),
                o.requireInstant(PUBLISHED_AT));
    }

    // ---------------------------------------------------------------- quarantine

    public static byte[] writeQuarantine(QuarantineMarker q) {
        CanonicalJsonWriter w = new CanonicalJsonWriter().beginObject();
        w.name(FORMAT_VERSION).value(Manifest.FORMAT_VERSION);
        writeTable(w.name(TABLE), q.table());
        w.name(RECOVERY_POINT_ID).value(q.recoveryPointId());
        w.name(REASON).value(q.reason());
        w.name(QUARANTINED_BY).value(q.quarantinedBy());
        w.name(QUARANTINED_AT).value(millis(q.quarantinedAt()));
        return w.endObject().toBytes();
    }

    public static QuarantineMarker parseQuarantine(byte[] bytes) {
        JsonObject o = parseVersioned(bytes);
        return new QuarantineMarker((int) o.requireLong(FORMAT_VERSION), readTable(o.requireObject(TABLE)),
                o.requireString(RECOVERY_POINT_ID), o.requireString(REASON), o.requireString(QUARANTINED_BY),
                o.requireInstant(QUARANTINED_AT));
    }

    // ---------------------------------------------------------------- group recovery point

    public static byte[] writeGroup(GroupRecoveryPoint g) {
        CanonicalJsonWriter w = new CanonicalJsonWriter().beginObject();
        w.name(FORMAT_VERSION).value(Manifest.FORMAT_VERSION);
        w.name(GROUP).value(g.group());
        w.name(RECOVERY_POINT_ID).value(g.recoveryPointId());
        w.name(LSN).value(g.lsn().toString());
        w.name(CREATED_AT).value(millis(g.createdAt()));
        w.name(MEMBERS).beginArray();
        for (GroupRecoveryPoint.Member m : g.members()) {
            w.beginObject();
            writeTable(w.name(TABLE), m.table());
            w.name(MANIFEST_KEY).value(m.manifestKey()).name(MANIFEST_SHA256).value(m.manifestSha256()).endObject();
        }
        w.endArray();
        w.endObject();
        return appendChecksum(w.toJson(), GROUP_SHA256);
    }

    public static GroupRecoveryPoint parseGroup(byte[] bytes) {
        JsonObject o = parseVersioned(bytes);
        List<GroupRecoveryPoint.Member> members = new ArrayList<>();
        for (JsonObject m : o.requireObjectList(MEMBERS)) {
            members.add(new GroupRecoveryPoint.Member(readTable(m.requireObject(TABLE)), m.requireString(MANIFEST_KEY),
                    m.requireString(MANIFEST_SHA256)));
        }
        return new GroupRecoveryPoint((int) o.requireLong(FORMAT_VERSION), o.requireString(GROUP),
                o.requireString(RECOVERY_POINT_ID), o.requireLsn(LSN), o.requireInstant(CREATED_AT), members,
                o.optString(GROUP_SHA256));
    }

    // ---------------------------------------------------------------- helpers

    public static String millis(Instant t) {
        return MILLIS.format(t.truncatedTo(ChronoUnit.MILLIS));
    }

    public static String micros(Instant t) {
        return MICROS.format(t.truncatedTo(ChronoUnit.MICROS));
    }

    private static byte[] appendChecksum(String bodyJson, String member) {
        // bodyJson ends with '}'; the checksum covers it exactly as written (section 3).
        String sha = Sha256.hex(bodyJson.getBytes(StandardCharsets.UTF_8));
        String full = bodyJson.substring(0, bodyJson.length() - 1) + ",\"" + member + "\":\"" + sha + "\"}";
        return full.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject parseVersioned(byte[] bytes) {
        JsonObject o = JsonParser.parseObject(new String(bytes, StandardCharsets.UTF_8));
        long v = o.requireLong(FORMAT_VERSION);
        if (v < 1 || v > Manifest.FORMAT_VERSION) {
            throw new FormatException("unsupported format_version " + v + " (this reader knows 1)");
        }
        return o;
    }

    private static void writeTable(CanonicalJsonWriter w, TableRef t) {
        w.beginObject().name(DATABASE).value(t.database()).name(SCHEMA).value(t.schema()).name(NAME).value(t.name())
                .endObject();
    }

    private static TableRef readTable(JsonObject o) {
        try {
            return new TableRef(o.requireString(DATABASE), o.requireString(SCHEMA), o.requireString(NAME));
        } catch (IllegalArgumentException e) {
            throw new FormatException("bad table: " + e.getMessage());
        }
    }

    private static Integer toInt(Long v, String name) {
        if (v == null || v < 0 || v > 1000) {
            throw new FormatException("member '" + name + "' is missing or out of range");
        }
        return v.intValue();
    }
}
