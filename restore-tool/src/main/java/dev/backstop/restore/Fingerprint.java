package dev.backstop.restore;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.parquet.Bytes;
import dev.backstop.snapshot.parquet.Utf8Text;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * An order-independent content fingerprint of a table, computed the same way from rebuilt rows (Java) and from a
 * table (SQL), so a restore can prove the recovered table holds exactly the rebuilt rows.
 *
 * <p>Definition. Column {@code i} (0-based) hashes a non-NULL value with seed {@code i + 1} by its encoding, with
 * PostgreSQL's own 64-bit hash functions ({@link PgHash}): int2/int4 {@code hashint4extended}, bool
 * {@code hashint4extended(v::int4)}, int8 {@code hashint8extended}, float4/float8 {@code hashfloat4extended} /
 * {@code hashfloat8extended} (by value, as PostgreSQL compares floats: 0 = -0, one NaN), uuid
 * {@code uuid_hash_extended}; date the days since 1970-01-01 as int4 (computed by PostgreSQL, {@code date - DATE
 * '1970-01-01'}); time, timestamp and timestamptz (in UTC) their own int8 (microseconds since midnight / since
 * 2000-01-01) by {@code time_hash_extended} / {@code timestamp_hash_extended}, which Java computes from the Parquet
 * values with java.time, not with the binary COPY's epoch constant, so an error there cannot cancel out; every other value
 * {@code hashtextextended} of a canonical text: text and varchar as stored, bpchar without its trailing blanks (as
 * PostgreSQL compares it), bytea its lowercase hex ({@code encode(v, 'hex')}), numeric and every {@code pg_text}
 * type their PostgreSQL output (numeric at the column's scale; DateStyle ISO, IntervalStyle postgres,
 * extra_float_digits 1, set by {@link Database}). A row's hash is {@code hashint8extended(h_0 # h_1 # .., 0)} (XOR;
 * a NULL in column {@code i} contributes {@link #nullMark(int)}, a per-column constant, so a NULL never looks like a
 * value that hashes to 0 or to its seed, such as a float zero); the fingerprint is the number of rows and the sum of
 * row hashes modulo 2^64
 * (order-independent; a duplicated, missing or changed row changes it). In SQL that is a few cheap function calls per
 * value and no record text: about half the server CPU of {@code hashtextextended(ROW(..)::text)} and a third of
 * {@code md5(ROW(..)::text)}.
 */
final class Fingerprint {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** PostgreSQL's timestamp epoch, parsed here rather than shared with {@link CopyBinary}'s constant. */
    private static final Instant PG_EPOCH = Instant.parse("2000-01-01T00:00:00Z");
    private static final LocalDateTime PG_EPOCH_LOCAL = LocalDateTime.parse("2000-01-01T00:00:00");


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

    /** How a column is hashed: its encoding, except bpchar (a TEXT encoding compared without trailing blanks). */
    enum Kind {
        INT16, INT32, INT64, DECIMAL, NUMERIC_TEXT, FLOAT32, FLOAT64, BOOL, TEXT, BPCHAR, BYTES, UUID, DATE, TIME,
        TIMESTAMP, TIMESTAMPTZ, PG_TEXT
    }

    private static final java.util.regex.Pattern BPCHAR_TYPE =
            java.util.regex.Pattern.compile("(?i)(character|char|bpchar)(\\s*\\(\\s*\\d+\\s*\\))?");
    private static final java.lang.invoke.VarHandle LONG_BE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    private final Kind[] kinds;
    private final ByteBuf buf = new ByteBuf(1024);
    private final byte[] uuidBytes = new byte[16];
    private long rows;
    private long sum;

    Fingerprint(List<ColumnSpec> columns) {
        this.kinds = columns.stream().map(Fingerprint::kind).toArray(Kind[]::new);
    }

    static Kind kind(ColumnSpec c) {
        if (c.encoding() == dev.backstop.snapshot.ValueEncoding.TEXT && BPCHAR_TYPE.matcher(c.pgType().trim()).matches()) {
            return Kind.BPCHAR;
        }
        return Kind.valueOf(c.encoding().name());
    }

    void add(Object[] row) {
        long x = 0;
        for (int i = 0; i < kinds.length; i++) {
            Object v = row[i];
            x ^= v == null ? nullMark(i) : hash(i, v);
        }
        sum += PgHash.hashInt8(x, 0);
        rows++;
    }

    /**
     * What a NULL in column {@code i} contributes to its row's hash: PostgreSQL's int8 hash of the column number with
     * the seed 'NULL' (0x4E554C4C), the same constant on both sides (the SQL carries it as a literal).
     */
    static long nullMark(int i) {
        return PgHash.hashInt8(i + 1L, 0x4E554C4CL);
    }

    /** Column {@code i}'s hash of its (non-NULL) value {@code v}. */
    long hash(int i, Object v) {
        long seed = i + 1;
        return switch (kinds[i]) {
            case INT16, INT32 -> PgHash.hashInt4(((Number) v).intValue(), seed);
            case INT64 -> PgHash.hashInt8((Long) v, seed);
            case BOOL -> PgHash.hashInt4((Boolean) v ? 1 : 0, seed);
            case FLOAT32 -> PgHash.hashFloat8((Float) v, seed);
            case FLOAT64 -> PgHash.hashFloat8((Double) v, seed);
            case UUID -> {
                UUID u = (UUID) v;
                LONG_BE.set(uuidBytes, 0, u.getMostSignificantBits());
                LONG_BE.set(uuidBytes, 8, u.getLeastSignificantBits());
                yield PgHash.hashBytesExtended(uuidBytes, 0, 16, seed);
            }
            case DATE -> PgHash.hashInt4(Math.toIntExact(((LocalDate) v).toEpochDay()), seed);
            case TIME -> PgHash.hashInt8(((LocalTime) v).toNanoOfDay() / 1000L, seed);
            case TIMESTAMP -> PgHash.hashInt8(ChronoUnit.MICROS.between(PG_EPOCH_LOCAL, (LocalDateTime) v), seed);
            case TIMESTAMPTZ -> PgHash.hashInt8(ChronoUnit.MICROS.between(PG_EPOCH, (Instant) v), seed);
            case DECIMAL -> decimal((BigDecimal) v, seed);
            case BYTES -> {
                byte[] b = ((Bytes) v).toByteArray();
                buf.clear();
                for (byte x : b) {
                    buf.put(HEX[(x >> 4) & 0xF]).put(HEX[x & 0xF]);
                }
                yield PgHash.hashBytesExtended(buf.array(), 0, buf.size(), seed);
            }
            // Text the file stored as UTF-8 is hashed as it is; a blank is one byte (0x20) in UTF-8 and never part of
            // another character's encoding, so trailing blanks are stripped on the bytes alike.
            case BPCHAR -> v instanceof Utf8Text t ? PgHash.hashBytesExtended(t.bytes(), 0, withoutTrailingBlanks(t.bytes()), seed)
                    : text(stripTrailingBlanks((String) v), seed);
            case NUMERIC_TEXT, TEXT, PG_TEXT -> v instanceof Utf8Text t ? PgHash.hashBytesExtended(t.bytes(), 0, t.bytes().length, seed)
                    : text((String) v, seed);
        };
    }

    /** A decimal's plain text ({@link BigDecimal#toPlainString()}), written without a String when it fits a long. */
    private long decimal(BigDecimal d, long seed) {
        if (d.scale() < 0 || d.scale() > 18 || d.unscaledValue().bitLength() > 62) {
            return text(d.toPlainString(), seed);
        }
        buf.clear();
        buf.putPlainDecimal(d.unscaledValue().longValue(), d.scale());
        return PgHash.hashBytesExtended(buf.array(), 0, buf.size(), seed);
    }

    private long text(String s, long seed) {
        buf.clear();
        buf.putUtf8(s, false);
        return PgHash.hashBytesExtended(buf.array(), 0, buf.size(), seed);
    }

    private static int withoutTrailingBlanks(byte[] utf8) {
        int end = utf8.length;
        while (end > 0 && utf8[end - 1] == ' ') {
            end--;
        }
        return end;
    }

    private static String stripTrailingBlanks(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(0, end);
    }

    Value value() {
        return new Value(rows, Long.toUnsignedString(sum));
    }

    /** The SQL expression of column {@code i}'s hash (column reference already quoted; NULL for a NULL value). */
    static String hashSql(ColumnSpec c, int i, String col) {
        String seed = Long.toString(i + 1L);
        return switch (kind(c)) {
            case INT16, INT32 -> "hashint4extended(" + col + ", " + seed + ")";
            case INT64 -> "hashint8extended(" + col + ", " + seed + ")";
            case BOOL -> "hashint4extended(" + col + "::int4, " + seed + ")";
            case FLOAT32 -> "hashfloat4extended(" + col + ", " + seed + ")";
            case FLOAT64 -> "hashfloat8extended(" + col + ", " + seed + ")";
            case UUID -> "uuid_hash_extended(" + col + ", " + seed + ")";
            // Computed by PostgreSQL from the 1970 epoch: independent of the binary COPY's 2000-epoch arithmetic.
            case DATE -> "hashint4extended(" + col + " - DATE '1970-01-01', " + seed + ")";
            // The stored int8 itself (a third of the server CPU of extract(epoch ..), which computes in numeric).
            case TIME -> "time_hash_extended(" + col + ", " + seed + ")";
            case TIMESTAMP -> "timestamp_hash_extended(" + col + ", " + seed + ")";
            case TIMESTAMPTZ -> "timestamp_hash_extended(" + col + " AT TIME ZONE 'UTC', " + seed + ")";
            case BYTES -> "hashtextextended(encode(" + col + ", 'hex'), " + seed + ")";
            case BPCHAR, DECIMAL, NUMERIC_TEXT, TEXT, PG_TEXT -> "hashtextextended(" + col + "::text, " + seed + ")";
        };
    }

    /**
     * {@code SELECT count, sum} over a table (or any relation), reading the listed columns; {@code where} (may be
     * empty) restricts the rows, e.g. to a block range. The sum is the plain (not yet reduced) bigint sum.
     */
    static String sql(List<ColumnSpec> columns, String relation, String where) {
        StringBuilder x = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            ColumnSpec c = columns.get(i);
            String h = hashSql(c, i, Sql.ident(c.name()));
            x.append(i == 0 ? "" : " # ").append(c.nullable() ? "coalesce(" + h + ", '" + nullMark(i) + "'::int8)" : h);
        }
        String hash = "hashint8extended(" + (columns.isEmpty() ? "0" : x.toString()) + ", 0)";
        return "SELECT count(*), coalesce(sum(" + hash + "), 0) FROM " + relation + (where.isEmpty() ? "" : " WHERE " + where);
    }

    /** A {@link #sql} result as a fingerprint value. */
    static Value of(long rows, BigDecimal rawSum) {
        return new Value(rows, rawSum.toBigInteger().mod(TWO_64).toString());
    }
}
