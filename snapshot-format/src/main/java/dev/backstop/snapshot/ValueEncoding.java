package dev.backstop.snapshot;

/** How a column's values are stored in Parquet (docs/snapshot-format.md section 8). */
public enum ValueEncoding {
    INT16("int16"),
    INT32("int32"),
    INT64("int64"),
    DECIMAL("decimal"),
    NUMERIC_TEXT("numeric_text"),
    FLOAT32("float32"),
    FLOAT64("float64"),
    BOOL("bool"),
    TEXT("text"),
    BYTES("bytes"),
    UUID("uuid"),
    DATE("date"),
    TIME("time"),
    TIMESTAMP("timestamp"),
    TIMESTAMPTZ("timestamptz"),
    PG_TEXT("pg_text");

    private final String wireName;

    ValueEncoding(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static ValueEncoding fromWire(String name) {
        for (ValueEncoding e : values()) {
            if (e.wireName.equals(name)) {
                return e;
            }
        }
        throw new FormatException("unknown column encoding '" + name + "'");
    }
}
