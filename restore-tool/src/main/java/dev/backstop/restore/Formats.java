package dev.backstop.restore;

import java.time.Duration;
import java.time.Instant;

/** Small, stable text forms used in human-readable output. */
final class Formats {
    private Formats() {
    }

    static String instant(Instant t) {
        return t == null ? "-" : t.toString();
    }

    /** Age as {@code 42s}, {@code 5m}, {@code 3h}, {@code 2d} (rounded down). */
    static String age(Instant then, Instant now) {
        if (then == null) {
            return "-";
        }
        long s = Duration.between(then, now).getSeconds();
        if (s < 0) {
            return "future";
        }
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return (s / 60) + "m";
        }
        if (s < 172800) {
            return (s / 3600) + "h";
        }
        return (s / 86400) + "d";
    }

    static String orDash(Object o) {
        return o == null ? "-" : o.toString();
    }
}
