package dev.backstop.snapshot;

import java.util.Locale;

/**
 * A PostgreSQL WAL position (unsigned 64-bit). Text form {@code X/Y} as PostgreSQL prints it; key form
 * 16 upper-case hex digits so S3 keys sort by LSN.
 */
public record Lsn(long value) implements Comparable<Lsn> {
    public static final Lsn ZERO = new Lsn(0);

    public static Lsn of(long value) {
        return new Lsn(value);
    }

    /** Parses {@code 0/16B3748} (either case). */
    public static Lsn parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("LSN is missing");
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || slash > 8 || text.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("not an LSN: '" + abbreviate(text) + "'");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (i != slash && Character.digit(c, 16) < 0) {
                throw new IllegalArgumentException("not an LSN: '" + abbreviate(text) + "'");
            }
        }
        try {
            long high = Long.parseLong(text.substring(0, slash), 16);
            long low = Long.parseLong(text.substring(slash + 1), 16);
            return new Lsn((high << 32) | low);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an LSN: '" + abbreviate(text) + "'");
        }
    }

    /** Parses the 16-hex-digit key form. */
    public static Lsn parseKeyForm(String hex16) {
        if (hex16 == null || hex16.length() != 16) {
            throw new IllegalArgumentException("not a 16-digit LSN: '" + abbreviate(String.valueOf(hex16)) + "'");
        }
        try {
            return new Lsn(Long.parseUnsignedLong(hex16, 16));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a 16-digit LSN: '" + abbreviate(hex16) + "'");
        }
    }

    public String keyForm() {
        return String.format(Locale.ROOT, "%016X", value);
    }

    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    public boolean isAtOrBefore(Lsn other) {
        return compareTo(other) <= 0;
    }

    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public int compareTo(Lsn o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase(Locale.ROOT) + "/"
                + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
