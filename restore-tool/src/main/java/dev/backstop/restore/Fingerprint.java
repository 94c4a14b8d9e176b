package dev.backstop.restore;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.parquet.Bytes;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * An order-independent content fingerprint of a table, computed the same way from rebuilt rows (Java) and from a
 * table (SQL), so a restore can prove the recovered table holds exactly the rebuilt rows.
 *
 * <p>Definition. Each value has a canonical text by the column's encoding: integers and numerics their decimal text
 * (numeric at the column's scale); floats the hex of their IEEE-754 bits ({@code float4send}/{@code float8send});
 * booleans {@code true}/{@code false}; text as stored (bpchar with its padding); bytea lower-case hex; uuid its
 * text; date the days since 1970-01-01; time, timestamp, timestamptz microseconds (since midnight / the epoch,
 * timestamp taken as UTC); every other type PostgreSQL's text output (DateStyle ISO, IntervalStyle postgres). A
 * row's text is the concatenation, per column, of {@code N} for NULL or {@code V<utf8 length>:<text>}. The row hash is
 * the first 64 bits of MD5 of that text (UTF-8) as a signed integer; the fingerprint is the number of rows and the
 * sum of row hashes modulo 2^64 (order-independent, and a duplicated or missing row changes it).
 */
final class Fingerprint {
    private static final HexFormat HEX = HexFormat.of();
    private static final String TWO_64 = "18446744073709551616";

    /** Row count and unsigned sum of row hashes. */
    record Value(long rows, String sum) {
        @Override
        public String toString() {
            return rows + " rows, sum " + sum;
        }
    }

    private final List<ColumnSpec> columns;
    private final MessageDigest md5;
    private long rows;
    private long sum;

    Fingerprint(List<ColumnSpec> columns) {
        this.columns = List.copyOf(columns);
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void add(Object[] row) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            Object v = row[i];
            if (v == null) {
                b.append('N');
            } else {
                String t = canonical(columns.get(i), v);
                b.append('V').append(t.getBytes(StandardCharsets.UTF_8).length).append(':').append(t);
            }
        }
        byte[] h = md5.digest(b.toString().getBytes(StandardCharsets.UTF_8));
        long x = 0;
        for (int i = 0; i < 8; i++) {
            x = (x << 8) | (h[i] & 0xFF);
        }
        sum += x;
        rows++;
    }

    Value value() {
        return new Value(rows, Long.toUnsignedString(sum));
    }

    static String canonical(ColumnSpec c, Object v) {
        return switch (c.encoding()) {
            case INT16, INT32, INT64 -> v.toString();
            case DECIMAL -> ((BigDecimal) v).toPlainString();
            case NUMERIC_TEXT, TEXT, PG_TEXT -> (String) v;
            case FLOAT32 -> String.format(Locale.ROOT, "%08x", Float.floatToIntBits((Float) v));
            case FLOAT64 -> String.format(Locale.ROOT, "%016x", Double.doubleToLongBits((Double) v));
            case BOOL -> ((Boolean) v) ? "true" : "false";
            case BYTES -> HEX.formatHex(((Bytes) v).toByteArray());
            case UUID -> ((UUID) v).toString();
            case DATE -> Long.toString(((LocalDate) v).toEpochDay());
            case TIME -> Long.toString(((LocalTime) v).toNanoOfDay() / 1000L);
            case TIMESTAMP -> Long.toString(micros(((LocalDateTime) v).toInstant(ZoneOffset.UTC)));
            case TIMESTAMPTZ -> Long.toString(micros((Instant) v));
        };
    }

    private static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000L);
    }

    /** The SQL expression of a column's canonical text (column reference already quoted). */
    static String canonicalSql(ColumnSpec c, String col) {
        return switch (c.encoding()) {
            case INT16, INT32, INT64, DECIMAL, NUMERIC_TEXT, UUID, PG_TEXT -> col + "::text";
            // format's %s goes through the type's output function: bpchar keeps its padding (a cast to text drops it)
            case TEXT -> "format('%s', " + col + ")";
            case FLOAT32 -> "encode(float4send(" + col + "), 'hex')";
            case FLOAT64 -> "encode(float8send(" + col + "), 'hex')";
            case BOOL -> "CASE WHEN " + col + " THEN 'true' ELSE 'false' END";
            case BYTES -> "encode(" + col + ", 'hex')";
            case DATE -> "(" + col + " - DATE '1970-01-01')::text";
            case TIME, TIMESTAMP, TIMESTAMPTZ -> "(extract(epoch from " + col + ") * 1000000)::bigint::text";
        };
    }

    /** {@code SELECT count, sum} over a table (or any relation), reading the listed columns. */
    static String sql(List<ColumnSpec> columns, String relation) {
        StringBuilder row = new StringBuilder();
        for (ColumnSpec c : columns) {
            String col = Sql.ident(c.name());
            String v = canonicalSql(c, col);
            if (row.length() > 0) {
                row.append(" || ");
            }
            row.append("CASE WHEN ").append(col).append(" IS NULL THEN 'N' ELSE 'V' || octet_length(").append(v)
                    .append(") || ':' || ").append(v).append(" END");
        }
        if (columns.isEmpty()) {
            row.append("''");
        }
        String hash = "('x' || left(md5(" + row + "), 16))::bit(64)::bigint::numeric";
        return "SELECT count(*), ((coalesce(sum(" + hash + "), 0) % " + TWO_64 + ") + " + TWO_64 + ") % " + TWO_64
                + " FROM " + relation;
    }
}
