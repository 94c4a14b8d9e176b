package dev.backstop.restore;

import dev.backstop.snapshot.parquet.Bytes;
import dev.backstop.snapshot.parquet.Utf8Text;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Row values (the Java types of snapshot-format's ValueCodec) in PostgreSQL's COPY text format: tab-separated,
 * {@code \N} for NULL, backslash, newline, carriage return and tab escaped. Each value is written in a form
 * PostgreSQL's input function of the column's type reads back exactly: pg_text values are PostgreSQL's own output,
 * floats use Java's shortest round-trip form ({@code 1.0E10}, {@code NaN}, {@code Infinity}, which strtod accepts),
 * bytea is hex, dates and times are ISO with {@code BC} for years before 1.
 */
final class CopyText {
    private static final HexFormat HEX = HexFormat.of();

    private CopyText() {
    }

    static void appendRow(StringBuilder line, Object[] row) {
        for (int i = 0; i < row.length; i++) {
            if (i > 0) {
                line.append('\t');
            }
            Object v = row[i];
            if (v == null) {
                line.append("\\N");
            } else {
                escape(line, text(v));
            }
        }
        line.append('\n');
    }

    /** The value's text for the type's input function (not yet COPY-escaped). */
    static String text(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Utf8Text t) {
            return t.toString();
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            return v.toString();
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof Double || v instanceof Float) {
            return v.toString();
        }
        if (v instanceof Boolean b) {
            return b ? "t" : "f";
        }
        if (v instanceof Bytes b) {
            return "\\x" + HEX.formatHex(b.toByteArray());
        }
        if (v instanceof UUID u) {
            return u.toString();
        }
        if (v instanceof LocalDate d) {
            return date(d);
        }
        if (v instanceof LocalTime t) {
            return t.toString();
        }
        if (v instanceof LocalDateTime t) {
            return dateTime(t, "");
        }
        if (v instanceof Instant t) {
            return dateTime(LocalDateTime.ofInstant(t, ZoneOffset.UTC), "+00");
        }
        throw new IllegalArgumentException("no COPY form for a value of type " + v.getClass().getName());
    }

    private static String dateTime(LocalDateTime t, String zone) {
        String d = date(t.toLocalDate());
        boolean bc = d.endsWith(" BC");
        String day = bc ? d.substring(0, d.length() - 3) : d;
        return day + " " + t.toLocalTime() + zone + (bc ? " BC" : "");
    }

    /** {@code 2026-11-26}; year 0 is 1 BC, -1 is 2 BC (PostgreSQL has no year 0). */
    private static String date(LocalDate d) {
        int y = d.getYear();
        StringBuilder b = new StringBuilder(16);
        pad(b, y <= 0 ? 1 - y : y, 4);
        b.append('-');
        pad(b, d.getMonthValue(), 2);
        b.append('-');
        pad(b, d.getDayOfMonth(), 2);
        return y <= 0 ? b.append(" BC").toString() : b.toString();
    }

    private static void pad(StringBuilder b, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        b.append(s);
    }

    /** One row in COPY text format into {@code out} (UTF-8). */
    static void appendRow(ByteBuf out, Object[] row) {
        for (int i = 0; i < row.length; i++) {
            if (i > 0) {
                out.put('\t');
            }
            Object v = row[i];
            if (v == null) {
                out.put('\\').put('N');
            } else {
                out.putUtf8(text(v), true);
            }
        }
        out.put('\n');
    }

    private static void escape(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
    }
}
