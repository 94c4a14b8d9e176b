package dev.backstop.restore;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.parquet.Bytes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * An order-independent content fingerprint of a table, computed the same way from rebuilt rows (Java) and from a
 * table (SQL), so a restore can prove the recovered table holds exactly the rebuilt rows.
 *
 * <p>Definition. Each value has a canonical text by the column's encoding: integers, numerics, booleans, text (bpchar
 * with its padding), bytea, uuid and every {@code pg_text} type their PostgreSQL output (numeric at the column's
 * scale, {@code t}/{@code f}, bytea {@code \x} hex; DateStyle ISO, IntervalStyle postgres, bytea_output hex); floats
 * the {@code \x} hex of their IEEE-754 bits ({@code float4send}/{@code float8send}: exact and cheap); date the days
 * since 1970-01-01, time, timestamp (as UTC) and timestamptz microseconds since midnight / 1970-01-01, computed by
 * PostgreSQL ({@code date - DATE '1970-01-01'}, {@code extract(epoch ..)}) so they do not share the binary COPY's
 * 2000-01-01 arithmetic. A row's text is PostgreSQL's record output of those values, {@code ROW(v1, v2, ..)::text}:
 * {@code (v1,v2,..)}, NULL as nothing, a value double-quoted (with {@code "} and {@code \} doubled) when it is empty
 * or holds {@code "\(),} or white space. The row hash is PostgreSQL's 64-bit {@code hashtextextended} of that text
 * (UTF-8) with seed 0 (lookup3, {@link PgHash}); the fingerprint is the number of rows and the sum of row hashes
 * modulo 2^64 (order-independent, and a duplicated or missing row changes it). In SQL that is one
 * {@code hashtextextended(ROW(..)::text, 0)} per row and a bigint sum (exact: numeric), about a third cheaper for the
 * server than {@code md5} with its hex and bit casts, and about twice as fast as MD5 in Java.
 */
final class Fingerprint {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final char[] HEX = "0123456789abcdef".toCharArray();


    /** Row count and unsigned sum of row hashes. */
    record Value(long rows, String sum) {
        @Override
        public String toString() {
            return rows + " rows, sum " + sum;
        }

        /** Adds two partial fingerprints (of disjoint sets of rows). */
        Value plus(Value o) {
            return new Value(rows + o.rows, new BigInteger(sum).add(new BigInteger(o.sum)).mod(TWO_64).toString());
        }
    }

    private final List<ColumnSpec> columns;
    private final ByteBuf buf = new ByteBuf(1024);
    private long rows;
    private long sum;

    Fingerprint(List<ColumnSpec> columns) {
        this.columns = List.copyOf(columns);
    }

    void add(Object[] row) {
        ByteBuf t = rowText(row);
        sum += PgHash.hashBytesExtended(t.array(), 0, t.size(), 0);
        rows++;
    }

    /**
     * The UTF-8 bytes of the row's record text, written straight into a reused buffer (valid until the next call):
     * values that never need quoting go as ASCII, {@code \x} hex values with their quotes and doubled backslash.
     */
    ByteBuf rowText(Object[] row) {
        ByteBuf out = buf;
        out.clear();
        out.put('(');
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                out.put(',');
            }
            Object v = row[i];
            if (v == null) {
                continue;
            }
            ColumnSpec c = columns.get(i);
            switch (c.encoding()) {
                case INT16, INT32 -> out.putAscii(Integer.toString(((Number) v).intValue()));
                case INT64 -> out.putAscii(Long.toString((Long) v));
                case DECIMAL -> out.putAscii(((BigDecimal) v).toPlainString());
                case BOOL -> out.put(((Boolean) v) ? 't' : 'f');
                case UUID -> out.putAscii(v.toString());
                case FLOAT32 -> hexValue(out, Float.floatToIntBits((Float) v) & 0xFFFFFFFFL, 8);
                case FLOAT64 -> hexValue(out, Double.doubleToLongBits((Double) v), 16);
                case DATE -> out.putAscii(Long.toString(((LocalDate) v).toEpochDay()));
                case TIME -> out.putAscii(Long.toString(((LocalTime) v).toNanoOfDay() / 1000L));
                case TIMESTAMP -> out.putAscii(Long.toString(micros(((LocalDateTime) v).toInstant(ZoneOffset.UTC))));
                case TIMESTAMPTZ -> out.putAscii(Long.toString(micros((Instant) v)));
                case BYTES -> {
                    out.put('"').put('\\').put('\\').put('x');
                    for (byte b : ((Bytes) v).toByteArray()) {
                        out.put(HEX[(b >> 4) & 0xF]).put(HEX[b & 0xF]);
                    }
                    out.put('"');
                }
                case NUMERIC_TEXT, TEXT, PG_TEXT -> quotedUtf8(out, (String) v);
            }
        }
        out.put(')');
        return out;
    }

    /** {@code "\\x<hex>"}: a bytea's output (always quoted in a record: it holds a backslash). */
    private static void hexValue(ByteBuf out, long v, int digits) {
        out.put('"').put('\\').put('\\').put('x');
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.put(HEX[(int) (v >>> shift) & 0xF]);
        }
        out.put('"');
    }

    private static void quotedUtf8(ByteBuf out, String v) {
        boolean q = v.isEmpty();
        boolean doubling = false;
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch == '"' || ch == '\\') {
                q = true;
                doubling = true;
                break;
            }
            q |= ch == '(' || ch == ')' || ch == ',' || ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == 0x0B
                    || ch == '\f';
        }
        if (!q) {
            out.putUtf8(v, false);
            return;
        }
        out.put('"');
        if (doubling) {
            StringBuilder d = new StringBuilder(v.length() + 8);
            for (int i = 0; i < v.length(); i++) {
                char ch = v.charAt(i);
                if (ch == '"' || ch == '\\') {
                    d.append(ch);
                }
                d.append(ch);
            }
            out.putUtf8(d.toString(), false);
        } else {
            out.putUtf8(v, false);
        }
        out.put('"');
    }

    String rowTextString(Object[] row) {
        ByteBuf b = rowText(row);
        return new String(b.array(), 0, b.size(), StandardCharsets.UTF_8);
    }

    Value value() {
        return new Value(rows, Long.toUnsignedString(sum));
    }

    /** record_out's quoting of one field (src/backend/utils/adt/rowtypes.c); the reference {@link #rowText} is tested against. */
    static void quote(StringBuilder out, CharSequence v) {
        boolean q = v.length() == 0;
        for (int i = 0; i < v.length() && !q; i++) {
            char ch = v.charAt(i);
            q = ch == '"' || ch == '\\' || ch == '(' || ch == ')' || ch == ',' || ch == ' ' || ch == '\t' || ch == '\n'
                    || ch == '\r' || ch == 0x0B || ch == '\f';
        }
        if (!q) {
            out.append(v);
            return;
        }
        out.append('"');
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch == '"' || ch == '\\') {
                out.append(ch);
            }
            out.append(ch);
        }
        out.append('"');
    }

    private static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000L);
    }

    /** The SQL expression of a column's canonical value inside ROW(..) (column reference already quoted). */
    static String canonicalSql(ColumnSpec c, String col) {
        return switch (c.encoding()) {
            case INT16, INT32, INT64, DECIMAL, NUMERIC_TEXT, TEXT, PG_TEXT, BOOL, BYTES, UUID -> col;
            case FLOAT32 -> "float4send(" + col + ")";
            case FLOAT64 -> "float8send(" + col + ")";
            // Computed by PostgreSQL from the 1970 epoch: independent of the binary COPY's 2000-epoch arithmetic.
            case DATE -> "(" + col + " - DATE '1970-01-01')";
            case TIME, TIMESTAMP, TIMESTAMPTZ -> "(extract(epoch from " + col + ") * 1000000)::int8";
        };
    }

    /**
     * {@code SELECT count, sum} over a table (or any relation), reading the listed columns; {@code where} (may be
     * empty) restricts the rows, e.g. to a block range. The sum is the plain (not yet reduced) bigint sum.
     */
    static String sql(List<ColumnSpec> columns, String relation, String where) {
        StringBuilder row = new StringBuilder("ROW(");
        for (int i = 0; i < columns.size(); i++) {
            ColumnSpec c = columns.get(i);
            row.append(i == 0 ? "" : ", ").append(canonicalSql(c, Sql.ident(c.name())));
        }
        row.append(")::text");
        String hash = "hashtextextended(" + row + ", 0)";
        return "SELECT count(*), coalesce(sum(" + hash + "), 0) FROM " + relation + (where.isEmpty() ? "" : " WHERE " + where);
    }

    /** A {@link #sql} result as a fingerprint value. */
    static Value of(long rows, BigDecimal rawSum) {
        return new Value(rows, rawSum.toBigInteger().mod(TWO_64).toString());
    }
}
