package dev.backstop.restore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An array literal as PostgreSQL's array_out prints it ({@code {a,"b c",NULL}}, nested braces for more dimensions,
 * {@code [0:1]=} in front when a lower bound is not 1), parsed from its UTF-8 bytes to write the array in binary COPY
 * format. The parse records where each element is in the literal, not the element itself: text-like elements are
 * copied from there straight into the COPY buffer (a million small arrays otherwise cost a String, a byte array and
 * list entries per element). Delimiter is the comma (every supported element type uses it). The literal's syntax
 * characters are ASCII, so they never occur inside a multi-byte UTF-8 character.
 *
 * <p>One instance is reused for every value of a column, by the thread that writes that column: not thread-safe.
 */
final class PgArrayText {
    private static final int MAX_DIMS = 6; // PostgreSQL's limit
    private static final byte NULL = 1;
    private static final byte ESCAPED = 2;

    private byte[] s;
    private int pos;
    private int depth;
    private final int[] sizes = new int[MAX_DIMS];
    private final int[] lowerBounds = new int[MAX_DIMS];
    private final int[] upperBounds = new int[MAX_DIMS];
    private int count;
    private boolean hasNull;
    private int[] from = new int[16];
    private int[] to = new int[16];
    private byte[] flags = new byte[16];

    /** Parses {@code utf8} (not copied: it must not change until the next parse); this instance describes it after. */
    PgArrayText parse(byte[] utf8) {
        s = utf8;
        pos = 0;
        depth = 0;
        count = 0;
        hasNull = false;
        Arrays.fill(sizes, -1);
        int bounds = lowerBounds();
        array(0);
        if (pos != s.length) {
            throw bad();
        }
        int ndim = dims();
        if (bounds == 0) {
            Arrays.fill(lowerBounds, 0, ndim, 1);
        } else if (bounds != ndim) {
            throw bad();
        }
        for (int i = 0; i < bounds; i++) {
            if ((long) upperBounds[i] - lowerBounds[i] + 1 != sizes[i]) {
                throw bad(); // the bounds do not match the elements
            }
        }
        long total = 1;
        for (int i = 0; i < ndim; i++) {
            total *= sizes[i];
        }
        if (ndim > 0 && total != count) {
            throw bad();
        }
        return this;
    }

    PgArrayText parse(String literal) {
        return parse(literal.getBytes(StandardCharsets.UTF_8));
    }

    /** Number of dimensions (0 for an empty array). */
    int dims() {
        return count == 0 ? 0 : depth;
    }

    int size(int dim) {
        return sizes[dim];
    }

    int lowerBound(int dim) {
        return lowerBounds[dim];
    }

    /** The elements' text, unescaped, null for NULL. */
    List<String> elements() {
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(element(i));
        }
        return out;
    }

    private String element(int i) {
        if (flags[i] == NULL) {
            return null;
        }
        if (flags[i] == ESCAPED) {
            ByteBuf b = new ByteBuf(to[i] - from[i]);
            unescape(b, i);
            return new String(b.array(), 0, b.size(), StandardCharsets.UTF_8);
        }
        return new String(s, from[i], to[i] - from[i], StandardCharsets.UTF_8);
    }

    /** array_recv's format: ndim, has-null flag, element oid, (size, lower bound) per dimension, then the elements. */
    void write(ByteBuf o, int elementOid, CopyBinary.ElementWriter element) {
        int slot = o.reserveLength();
        int ndim = dims();
        o.putInt(ndim).putInt(hasNull ? 1 : 0).putInt(elementOid);
        for (int i = 0; i < ndim; i++) {
            o.putInt(sizes[i]).putInt(lowerBounds[i]);
        }
        CopyBinary.TextElement text = element instanceof CopyBinary.TextElement t ? t : null;
        for (int i = 0; i < count; i++) {
            if (flags[i] == NULL) {
                o.putInt(-1);
            } else if (text == null) {
                element.write(o, element(i));
            } else {
                int value = o.reserveLength();
                o.put(text.prefix());
                if (flags[i] == ESCAPED) {
                    unescape(o, i);
                } else {
                    o.put(s, from[i], to[i] - from[i]);
                }
                o.fillLength(value);
            }
        }
        o.fillLength(slot);
    }

    private void unescape(ByteBuf o, int i) {
        for (int p = from[i]; p < to[i]; p++) {
            if (s[p] == '\\') {
                p++;
            }
            o.put(s[p]);
        }
    }

    /** The {@code [lo:hi]...=} prefix, if any: fills the lower bounds and returns how many there are. */
    private int lowerBounds() {
        int n = 0;
        while (pos < s.length && s[pos] == '[') {
            if (n == MAX_DIMS) {
                throw bad();
            }
            pos++;
            lowerBounds[n] = integer(':');
            upperBounds[n++] = integer(']');
        }
        if (n > 0 && next() != '=') {
            throw bad();
        }
        return n;
    }

    /** A decimal integer (optional minus) followed by {@code end}, which is consumed. */
    private int integer(char end) {
        boolean negative = peek() == '-';
        if (negative) {
            pos++;
        }
        long v = 0;
        int digits = 0;
        while (peek() >= '0' && peek() <= '9') {
            v = v * 10 + (next() - '0');
            if (++digits > 10) {
                throw bad();
            }
        }
        if (digits == 0 || next() != end) {
            throw bad();
        }
        v = negative ? -v : v;
        if (v != (int) v) {
            throw bad();
        }
        return (int) v;
    }

    private void array(int level) {
        expect('{');
        if (level >= MAX_DIMS) {
            throw bad();
        }
        depth = Math.max(depth, level + 1);
        int n = 0;
        if (peek() == '}') {
            pos++;
            record(level, 0);
            return;
        }
        while (true) {
            if (peek() == '{') {
                array(level + 1);
            } else {
                element();
            }
            n++;
            byte c = next();
            if (c == '}') {
                break;
            }
            if (c != ',') {
                throw bad();
            }
        }
        record(level, n);
    }

    private void record(int level, int n) {
        if (sizes[level] < 0) {
            sizes[level] = n;
        } else if (sizes[level] != n) {
            throw bad(); // ragged: PostgreSQL never prints that
        }
    }

    private void element() {
        if (count == from.length) {
            from = Arrays.copyOf(from, count * 2);
            to = Arrays.copyOf(to, count * 2);
            flags = Arrays.copyOf(flags, count * 2);
        }
        byte flag = 0;
        if (peek() == '"') {
            pos++;
            from[count] = pos;
            while (true) {
                byte c = next();
                if (c == '"') {
                    to[count] = pos - 1;
                    break;
                }
                if (c == '\\') {
                    next();
                    flag = ESCAPED;
                }
            }
        } else {
            from[count] = pos;
            while (peek() != ',' && peek() != '}') {
                if (next() == '\\') {
                    next();
                    flag = ESCAPED;
                }
            }
            to[count] = pos;
            if (to[count] == from[count]) {
                throw bad();
            }
            if (flag == 0 && isNullWord(from[count], to[count])) {
                flag = NULL;
                hasNull = true;
            }
        }
        flags[count++] = flag;
    }

    private boolean isNullWord(int a, int b) {
        return b - a == 4 && (s[a] | 0x20) == 'n' && (s[a + 1] | 0x20) == 'u' && (s[a + 2] | 0x20) == 'l'
                && (s[a + 3] | 0x20) == 'l';
    }

    private byte peek() {
        if (pos >= s.length) {
            throw bad();
        }
        return s[pos];
    }

    private byte next() {
        byte c = peek();
        pos++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            throw bad();
        }
    }

    private IllegalArgumentException bad() {
        String text = new String(s, StandardCharsets.UTF_8);
        return new IllegalArgumentException("not an array literal as PostgreSQL prints it: "
                + (text.length() > 60 ? text.substring(0, 60) + "..." : text));
    }
}
