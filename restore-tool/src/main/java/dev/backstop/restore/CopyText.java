package dev.backstop.restore;

import dev.backstop.snapshot.parquet.Bytes;
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
        String md = String.format("-%02d-%02d", d.getMonthValue(), d.getDayOfMonth());
        if (y <= 0) {
            return String.format("%04d", 1 - y) + md + " BC";
        }
        return String.format("%04d", y) + md;
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
