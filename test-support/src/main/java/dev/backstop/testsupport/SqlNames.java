package dev.backstop.testsupport;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/** Quoting for the few DDL statements fixtures must build, and unique names for databases and buckets. */
public final class SqlNames {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Pattern NOT_NAME_CHAR = Pattern.compile("[^a-z0-9]+");

    private SqlNames() {
    }

    /** Quotes a PostgreSQL identifier ({@code "a""b"}). */
    public static String quoteIdent(String identifier) {
        if (identifier == null || identifier.isEmpty() || identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid identifier");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Quotes a string literal; valid with standard_conforming_strings=on (the default since 9.1). */
    public static String quoteLiteral(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid literal");
        }
        return '\'' + value.replace("'", "''") + '\'';
    }

    /**
     * A name unique in this JVM, derived from a hint: lower case letters, digits and the separator,
     * at most {@code maxLength} characters, starting with a letter.
     */
    public static String unique(String hint, char separator, int maxLength) {
        String base = NOT_NAME_CHAR.matcher(hint.toLowerCase(Locale.ROOT)).replaceAll(String.valueOf(separator));
        String suffix = separator + Integer.toString(COUNTER.incrementAndGet())
                + separator + Long.toString(ProcessHandle.current().pid(), 36);
        int room = maxLength - suffix.length() - 2;
        if (base.length() > room) {
            base = base.substring(0, room);
        }
        return "t" + separator + trim(base, separator) + suffix;
    }

    private static String trim(String s, char separator) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == separator) {
            start++;
        }
        while (end > start && s.charAt(end - 1) == separator) {
            end--;
        }
        return s.substring(start, end);
    }
}
