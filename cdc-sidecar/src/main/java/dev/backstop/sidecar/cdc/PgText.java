package dev.backstop.sidecar.cdc;

import dev.backstop.snapshot.FormatException;

import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reproduces PostgreSQL's text output for values Debezium hands over in another form (arrays, intervals). */
public final class PgText {
    private static final Pattern ISO = Pattern.compile(
            "P(?:(-?\\d+)Y)?(?:(-?\\d+)M)?(?:(-?\\d+)D)?(?:T(?:(-?\\d+)H)?(?:(-?\\d+)M)?(?:(-?[\\d.]+)S)?)?");

    private PgText() {
    }

    /** A PostgreSQL array literal with PostgreSQL's quoting rules (elements already in their text form). */
    public static String arrayLiteral(List<?> l) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            Object e = l.get(i);
            if (e == null) {
                b.append("NULL");
            } else if (e instanceof List<?> inner) {
                b.append(arrayLiteral(inner));
            } else if (e instanceof Boolean bo) {
                b.append(bo ? "t" : "f");
            } else if (e instanceof Double d) {
                b.append(element(floatText(d, Double.toString(d), 15)));
            } else if (e instanceof Float f) {
                b.append(element(floatText(f, Float.toString(f), 6)));
            } else {
                b.append(element(e.toString()));
            }
        }
        return b.append('}').toString();
    }

    /**
     * PostgreSQL's float4/float8 output (shortest digits, extra_float_digits = 1): plain notation for decimal
     * exponents from -4 to {@code digits - 1}, else {@code 1.5e+15} / {@code 1e-05}; never Java's {@code 1.0}.
     */
    static String floatText(double value, String javaShortest, int digits) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == 0) {
            return 1 / value < 0 ? "-0" : "0";
        }
        java.math.BigDecimal bd = new java.math.BigDecimal(javaShortest).stripTrailingZeros();
        int exponent = bd.precision() - bd.scale() - 1;
        if (exponent >= -4 && exponent < digits) {
            return bd.toPlainString();
        }
        String mantissa = bd.unscaledValue().abs().toString();
        if (mantissa.length() > 1) {
            mantissa = mantissa.charAt(0) + "." + mantissa.substring(1);
        }
        int abs = Math.abs(exponent);
        return (value < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + (abs < 10 ? "0" : "") + abs;
    }

    private static String element(String s) {
        boolean quote = s.isEmpty() || s.equalsIgnoreCase("NULL");
        for (int i = 0; i < s.length() && !quote; i++) {
            char ch = s.charAt(i);
            quote = ch == '{' || ch == '}' || ch == ',' || ch == '"' || ch == '\\' || Character.isWhitespace(ch);
        }
        if (!quote) {
            return s;
        }
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * Debezium's ISO-8601 interval ({@code P1Y2M3DT4H5M6.78S}) to PostgreSQL's default output
     * ({@code 1 year 2 mons 3 days 04:05:06.78}).
     */
    public static String intervalFromIso(String iso) {
        Matcher m = ISO.matcher(iso);
        if (!m.matches()) {
            throw new FormatException("unexpected interval form '" + iso + "'");
        }
        long years = num(m.group(1));
        long months = num(m.group(2));
        long days = num(m.group(3));
        BigDecimal secs = new BigDecimal(num(m.group(4))).multiply(BigDecimal.valueOf(3600))
                .add(new BigDecimal(num(m.group(5))).multiply(BigDecimal.valueOf(60)))
                .add(m.group(6) == null ? BigDecimal.ZERO : new BigDecimal(m.group(6)));
        long totalMonths = years * 12 + months;
        long micros = secs.movePointRight(6).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
        return format(totalMonths, days, micros);
    }

    /**
     * PostgreSQL's IntervalStyle=postgres output of (months, days, microseconds). Like PostgreSQL, only exactly 1 is
     * singular ({@code -1 days}).
     */
    public static String format(long months, long days, long micros) {
        StringBuilder b = new StringBuilder();
        long y = months / 12;
        long mo = months % 12;
        boolean anyNegative = false;
        if (y != 0) {
            b.append(y).append(y == 1 ? " year" : " years");
            anyNegative = y < 0;
        }
        if (mo != 0) {
            appendPart(b, mo, mo == 1 ? " mon" : " mons", anyNegative);
            anyNegative |= mo < 0;
        }
        if (days != 0) {
            appendPart(b, days, days == 1 ? " day" : " days", anyNegative);
            anyNegative |= days < 0;
        }
        if (micros != 0 || b.length() == 0) {
            if (b.length() > 0) {
                b.append(' ');
            }
            boolean neg = micros < 0;
            long a = Math.abs(micros);
            if (neg) {
                b.append('-');
            } else if (anyNegative) {
                b.append('+');
            }
            long h = a / 3_600_000_000L;
            long mi = (a / 60_000_000L) % 60;
            long s = (a / 1_000_000L) % 60;
            long frac = a % 1_000_000L;
            b.append(String.format("%02d:%02d:%02d", h, mi, s));
            if (frac != 0) {
                String f = String.format("%06d", frac);
                b.append('.').append(f.replaceAll("0+$", ""));
            }
        }
        return b.toString();
    }

    private static void appendPart(StringBuilder b, long v, String unit, boolean previousNegative) {
        if (b.length() > 0) {
            b.append(' ');
        }
        if (v > 0 && previousNegative) {
            b.append('+');
        }
        b.append(v).append(unit);
    }

    private static long num(String s) {
        return s == null ? 0 : Long.parseLong(s);
    }
}
