package dev.backstop.sidecar.pg;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.parquet.Bytes;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Converts a JDBC column value (base copy) to the Java type of its encoding (see ValueCodec). */
public final class JdbcValues {
    private JdbcValues() {
    }

    public static Object read(ResultSet rs, int idx, ColumnSpec c) throws SQLException {
        Object v = switch (c.encoding()) {
            case INT16, INT32 -> rs.getInt(idx);
            case INT64 -> rs.getLong(idx);
            case DECIMAL -> {
                String s = rs.getString(idx);
                if (s == null) {
                    yield null;
                }
                try {
                    yield new BigDecimal(s).setScale(c.scale());
                } catch (NumberFormatException | ArithmeticException e) {
                    throw new FormatException("column " + c.name() + " holds '" + s + "', which numeric("
                            + c.precision() + "," + c.scale() + ") storage cannot represent");
                }
            }
            case NUMERIC_TEXT, TEXT, PG_TEXT -> rs.getString(idx);
            case FLOAT32 -> rs.getFloat(idx);
            case FLOAT64 -> rs.getDouble(idx);
            case BOOL -> rs.getBoolean(idx);
            case BYTES -> {
                byte[] b = rs.getBytes(idx);
                yield b == null ? null : Bytes.wrap(b);
            }
            case UUID -> rs.getObject(idx, UUID.class);
            case DATE -> finite(rs.getObject(idx, LocalDate.class), c);
            case TIME -> rs.getObject(idx, LocalTime.class);
            case TIMESTAMP -> finite(rs.getObject(idx, LocalDateTime.class), c);
            case TIMESTAMPTZ -> {
                OffsetDateTime t = rs.getObject(idx, OffsetDateTime.class);
                yield t == null ? null : finite(t, c).toInstant();
            }
        };
        return rs.wasNull() ? null : v;
    }

    private static <T> T finite(T v, ColumnSpec c) {
        if (v == null) {
            return null;
        }
        if (v.equals(LocalDate.MAX) || v.equals(LocalDate.MIN) || v.equals(LocalDateTime.MAX)
                || v.equals(LocalDateTime.MIN) || v.equals(OffsetDateTime.MAX) || v.equals(OffsetDateTime.MIN)) {
            throw new FormatException("column " + c.name() + " holds an infinite date/time, which cannot be stored");
        }
        return v;
    }
}
