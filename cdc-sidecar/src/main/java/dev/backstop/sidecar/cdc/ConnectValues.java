package dev.backstop.sidecar.cdc;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.parquet.Bytes;
import org.apache.kafka.connect.data.Schema;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Converts a Debezium (Kafka Connect) field value to the Java type of its encoding, matching what
 * {@link dev.backstop.sidecar.pg.JdbcValues} produces for the same PostgreSQL value.
 */
public final class ConnectValues {
    /** Debezium's placeholder for an unchanged TOASTed value (configured on the connector). */
    public static final String UNAVAILABLE = "__backstop_unchanged_toast__";
    /** Marker returned for a value the change did not carry; replaced from the old row image. */
    public static final Object UNCHANGED = new Object() {
        @Override
        public String toString() {
            return "UNCHANGED_TOAST";
        }
    };

    private ConnectValues() {
    }

    public static Object convert(Object v, ColumnSpec c, Schema schema) {
        if (v == null) {
            return null;
        }
        if (toastable(c) && isPlaceholder(v)) {
            return UNCHANGED;
        }
        String name = schema == null ? null : schema.name();
        try {
            return switch (c.encoding()) {
                case INT16, INT32 -> ((Number) v).intValue();
                case INT64 -> ((Number) v).longValue();
                case DECIMAL -> {
                    String s = v.toString();
                    try {
                        yield new BigDecimal(s).setScale(c.scale());
                    } catch (NumberFormatException | ArithmeticException e) {
                        throw new FormatException("column " + c.name() + " holds '" + s
                                + "', which numeric(" + c.precision() + "," + c.scale() + ") storage cannot represent");
                    }
                }
                case NUMERIC_TEXT, TEXT -> v.toString();
                case FLOAT32 -> ((Number) v).floatValue();
                case FLOAT64 -> ((Number) v).doubleValue();
                case BOOL -> (Boolean) v;
                case BYTES -> Bytes.wrap(bytes(v));
                case UUID -> UUID.fromString(v.toString());
                case DATE -> LocalDate.ofEpochDay(((Number) v).longValue());
                case TIME -> timeOf(v, name);
                case TIMESTAMP -> LocalDateTime.ofEpochSecond(0, 0, ZoneOffset.UTC).plus(durationOf(v, name));
                case TIMESTAMPTZ -> OffsetDateTime.parse(v.toString()).toInstant();
                case PG_TEXT -> pgText(v, c);
            };
        } catch (ClassCastException e) {
            throw new FormatException("column " + c.name() + ": unexpected value type " + v.getClass().getSimpleName()
                    + " for " + c.encoding().wireName());
        }
    }

    /** Only variable-length types can be TOASTed (fixed-size ones never carry the placeholder). */
    private static boolean toastable(ColumnSpec c) {
        return switch (c.encoding()) {
            case TEXT, NUMERIC_TEXT, PG_TEXT, BYTES -> true;
            default -> false;
        };
    }

    private static boolean isPlaceholder(Object v) {
        if (v instanceof String s) {
            return s.equals(UNAVAILABLE);
        }
        if (v instanceof ByteBuffer || v instanceof byte[]) {
            return Arrays.equals(bytes(v), UNAVAILABLE.getBytes(StandardCharsets.UTF_8));
        }
        if (v instanceof List<?> l) {
            return l.size() == 1 && l.get(0) != null && isPlaceholder(l.get(0));
        }
        return false;
    }

    private static byte[] bytes(Object v) {
        if (v instanceof byte[] b) {
            return b;
        }
        ByteBuffer bb = ((ByteBuffer) v).duplicate();
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        return out;
    }

    private static LocalTime timeOf(Object v, String schemaName) {
        long n = ((Number) v).longValue();
        long nanos = switch (schemaName == null ? "" : schemaName) {
            case "io.debezium.time.Time" -> n * 1_000_000L;
            case "io.debezium.time.NanoTime" -> n;
            default -> n * 1000L; // MicroTime
        };
        if (nanos == 86_400_000_000_000L) {
            throw new FormatException("time 24:00:00 cannot be stored");
        }
        return LocalTime.ofNanoOfDay(nanos);
    }

    private static java.time.Duration durationOf(Object v, String schemaName) {
        long n = ((Number) v).longValue();
        return switch (schemaName == null ? "" : schemaName) {
            case "io.debezium.time.Timestamp" -> java.time.Duration.ofMillis(n);
            case "io.debezium.time.NanoTimestamp" -> java.time.Duration.ofNanos(n);
            default -> java.time.Duration.ofSeconds(Math.floorDiv(n, 1_000_000L), Math.floorMod(n, 1_000_000L) * 1000L);
        };
    }

    private static String pgText(Object v, ColumnSpec c) {
        if (v instanceof List<?> l) {
            return PgText.arrayLiteral(l);
        }
        if (c.pgType().equals("interval")) {
            return PgText.intervalFromIso(v.toString());
        }
        return v.toString();
    }
}
