package dev.backstop.snapshot;

/** Member names of the format's JSON documents (docs/snapshot-format.md). */
public final class FieldNames {
    private FieldNames() {
    }

    public static final String FORMAT_VERSION = "format_version";
    public static final String RECOVERY_POINT_ID = "recovery_point_id";
    public static final String TABLE = "table";
    public static final String DATABASE = "database";
    public static final String SCHEMA = "schema";
    public static final String NAME = "name";
    public static final String COLUMNS = "columns";
    public static final String PG_TYPE = "pg_type";
    public static final String ENCODING = "encoding";
    public static final String NULLABLE = "nullable";
    public static final String PRECISION = "precision";
    public static final String SCALE = "scale";
    public static final String PRIMARY_KEY = "primary_key";
    public static final String SOURCE = "source";
    public static final String SYSTEM_IDENTIFIER = "system_identifier";
    public static final String TIMELINE = "timeline";
    public static final String SIDECAR_ID = "sidecar_id";
    public static final String SLOT_NAME = "slot_name";
    public static final String BASE_SNAPSHOT_ID = "base_snapshot_id";
    public static final String BASE_LSN = "base_lsn";
    public static final String COVERED_LSN = "covered_lsn";
    public static final String COVERED_COMMIT_TIME = "covered_commit_time";
    public static final String CREATED_AT = "created_at";
    public static final String FILES = "files";
    public static final String KEY = "key";
    public static final String KIND = "kind";
    public static final String SHA256 = "sha256";
    public static final String BYTES = "bytes";
    public static final String ROWS = "rows";
    public static final String MIN_LSN = "min_lsn";
    public static final String MAX_LSN = "max_lsn";
    public static final String ETAG = "etag";
    public static final String TOTAL_ROWS = "total_rows";
    public static final String MANIFEST_SHA256 = "manifest_sha256";
    public static final String MANIFEST_KEY = "manifest_key";
    public static final String UPDATED_AT = "updated_at";
    public static final String SEQUENCE = "sequence";
    public static final String WRITTEN_AT = "written_at";
    public static final String LSN = "lsn";
    public static final String DURABLE_LSN = "durable_lsn";
    public static final String PUBLISHED_AT = "published_at";
    public static final String REASON = "reason";
    public static final String QUARANTINED_BY = "quarantined_by";
    public static final String QUARANTINED_AT = "quarantined_at";
    public static final String GROUP = "group";
    public static final String MEMBERS = "members";
    public static final String GROUP_SHA256 = "group_sha256";
}
