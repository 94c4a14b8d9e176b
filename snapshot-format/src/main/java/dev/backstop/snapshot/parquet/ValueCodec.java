package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FormatException;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.io.api.Binary;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Java value types of row values, per encoding, and their Parquet form:
 * int16/int32 -> Integer, int64 -> Long, decimal -> BigDecimal (at the column's scale), numeric_text/text/pg_text ->
 * String, float32 -> Float, float64 -> Double, bool -> Boolean, bytes -> {@link Bytes}, uuid -> UUID,
 * date -> LocalDate, time -> LocalTime, timestamp -> LocalDateTime, timestamptz -> Instant. Null is null.
 */
public final class ValueCodec {
    private ValueCodec() {
    }

    /** Writes the value into field number {@code field} of {@code g} (by index: no name lookup per value). */
    public static void write(Group g, int field, ColumnSpec c, Object v) {
        if (v == null) {
            return;
        }
        try {
            switch (c.encoding()) {
                case INT16, INT32 -> g.add(field, ((Number) v).intValue());
                case INT64 -> g.add(field, (Long) v);
                case DECIMAL -> {
                    BigDecimal d = ((BigDecimal) v).setScale(c.scale(), RoundingMode.UNNECESSARY);
                    if (d.precision() > c.precision()) {
                        throw new FormatException("value of " + c.name() + " exceeds numeric(" + c.precision() + ")");
                    }
                    g.add(field, Binary.fromConstantByteArray(d.unscaledValue().toByteArray()));
                }
                case NUMERIC_TEXT, TEXT, PG_TEXT -> g.add(field, (String) v);
                case FLOAT32 -> g.add(field, (Float) v);
                case FLOAT64 -> g.add(field, (Double) v);
                case BOOL -> g.add(field, (Boolean) v);
                case BYTES -> g.add(field, Binary.fromConstantByteArray(((Bytes) v).unsafeArray()));
                case UUID -> {
                    UUID u = (UUID) v;
                    ByteBuffer bb = ByteBuffer.allocate(16);
                    bb.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
                    g.add(field, Binary.fromConstantByteArray(bb.array()));
                }
                case DATE -> g.add(field, Math.toIntExact(((LocalDate) v).toEpochDay()));
                case TIME -> g.add(field, ((LocalTime) v).toNanoOfDay() / 1000L);
                case TIMESTAMP -> g.add(field, micros(((LocalDateTime) v).toInstant(ZoneOffset.UTC)));
                case TIMESTAMPTZ -> g.add(field, micros((Instant) v));
            }
        } catch (ClassCastException | ArithmeticException e) {
            throw new FormatException("value of column " + c.name() + " (" + c.encoding().wireName()
                    + ") has the wrong type: " + v.getClass().getSimpleName(), e);
        }
    }

    public static Object read(Group g, int field, ColumnSpec c) {
        if (g.getFieldRepetitionCount(field) == 0) {
            return null;
        }
        return switch (c.encoding()) {
            case INT16, INT32 -> g.getInteger(field, 0);
            case INT64 -> g.getLong(field, 0);
            case DECIMAL -> new BigDecimal(new BigInteger(g.getBinary(field, 0).getBytes()), c.scale());
            case NUMERIC_TEXT, TEXT, PG_TEXT -> g.getString(field, 0);
            case FLOAT32 -> g.getFloat(field, 0);
            case FLOAT64 -> g.getDouble(field, 0);
            case BOOL -> g.getBoolean(field, 0);
            case BYTES -> Bytes.wrap(g.getBinary(field, 0).getBytes());
            case UUID -> {
                ByteBuffer bb = ByteBuffer.wrap(g.getBinary(field, 0).getBytes());
                yield new UUID(bb.getLong(), bb.getLong());
            }
            case DATE -> LocalDate.ofEpochDay(g.getInteger(field, 0));
            case TIME -> LocalTime.ofNanoOfDay(g.getLong(field, 0) * 1000L);
            case TIMESTAMP -> LocalDateTime.ofInstant(fromMicros(g.getLong(field, 0)), ZoneOffset.UTC);
            case TIMESTAMPTZ -> fromMicros(g.getLong(field, 0));
        };
    }

    public static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000L);
    }

    public static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }
}
