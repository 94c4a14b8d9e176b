package dev.backstop.restore;

import java.util.ArrayList;
import java.util.List;

/**
 * An array literal as PostgreSQL's array_out prints it ({@code {a,"b c",NULL}}, nested braces for more dimensions,
 * {@code [0:1]=} in front when a lower bound is not 1), parsed to write the array in binary COPY format. Elements
 * are kept as text (null for NULL); the element type's writer converts them. Delimiter is the comma (every supported
 * element type uses it).
 */
final class PgArrayText {
    final int[] dims;
    final int[] lowerBounds;
    final List<String> elements;

    private PgArrayText(int[] dims, int[] lowerBounds, List<String> elements) {
        this.dims = dims;
        this.lowerBounds = lowerBounds;
        this.elements = elements;
    }

    static PgArrayText parse(String s) {
        int pos = 0;
        int[] lower = null;
        if (s.startsWith("[")) {
            List<Integer> lb = new ArrayList<>();
            while (pos < s.length() && s.charAt(pos) == '[') {
                int colon = s.indexOf(':', pos);
                int close = s.indexOf(']', pos);
                if (colon < 0 || close < colon) {
                    throw bad(s);
                }
                lb.add(Integer.parseInt(s.substring(pos + 1, colon)));
                pos = close + 1;
            }
            if (pos >= s.length() || s.charAt(pos) != '=') {
                throw bad(s);
            }
            pos++;
            lower = lb.stream().mapToInt(Integer::intValue).toArray();
        }
        Parser p = new Parser(s, pos);
        p.array(0);
        if (p.pos != s.length()) {
            throw bad(s);
        }
        int ndim = p.elements.isEmpty() ? 0 : p.depth;
        int[] dims = new int[ndim];
        for (int i = 0; i < ndim; i++) {
            dims[i] = p.sizes[i];
        }
        if (lower == null) {
            lower = new int[ndim];
            java.util.Arrays.fill(lower, 1);
        } else if (lower.length != ndim) {
            throw bad(s);
        }
        long total = 1;
        for (int d : dims) {
            total *= d;
        }
        if (ndim > 0 && total != p.elements.size()) {
            throw bad(s);
        }
        return new PgArrayText(dims, lower, p.elements);
    }

    /** array_recv's format: ndim, has-null flag, element oid, (size, lower bound) per dimension, then the elements. */
    void write(ByteBuf o, int elementOid, CopyBinary.ElementWriter element) {
        int slot = o.reserveLength();
        o.putInt(dims.length).putInt(elements.contains(null) ? 1 : 0).putInt(elementOid);
        for (int i = 0; i < dims.length; i++) {
            o.putInt(dims[i]).putInt(lowerBounds[i]);
        }
        for (String e : elements) {
            if (e == null) {
                o.putInt(-1);
            } else {
                element.write(o, e);
            }
        }
        o.fillLength(slot);
    }

    private static IllegalArgumentException bad(String s) {
        return new IllegalArgumentException("not an array literal as PostgreSQL prints it: "
                + (s.length() > 60 ? s.substring(0, 60) + "..." : s));
    }

    private static final class Parser {
        final String s;
        int pos;
        int depth;
        final int[] sizes = {-1, -1, -1, -1, -1, -1, -1}; // PostgreSQL allows 6 dimensions
        final List<String> elements = new ArrayList<>();

        Parser(String s, int pos) {
            this.s = s;
            this.pos = pos;
        }

        void array(int level) {
            expect('{');
            depth = Math.max(depth, level + 1);
            int count = 0;
            if (peek() == '}') {
                pos++;
                record(level, 0);
                return;
            }
            while (true) {
                if (peek() == '{') {
                    array(level + 1);
                } else {
                    elements.add(element());
                }
                count++;
                char c = next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw bad(s);
                }
            }
            record(level, count);
        }

        private void record(int level, int count) {
            if (level >= sizes.length) {
                throw bad(s);
            }
            if (sizes[level] < 0) {
                sizes[level] = count;
            } else if (sizes[level] != count) {
                throw bad(s); // ragged: PostgreSQL never prints that
            }
        }

        private String element() {
            StringBuilder b = new StringBuilder();
            if (peek() == '"') {
                pos++;
                while (true) {
                    char c = next();
                    if (c == '"') {
                        return b.toString();
                    }
                    if (c == '\\') {
                        c = next();
                    }
                    b.append(c);
                }
            }
            while (peek() != ',' && peek() != '}') {
                char c = next();
                if (c == '\\') {
                    c = next();
                }
                b.append(c);
            }
            String t = b.toString();
            if (t.isEmpty()) {
                throw bad(s);
            }
            return t.equalsIgnoreCase("NULL") ? null : t;
        }

        private char peek() {
            if (pos >= s.length()) {
                throw bad(s);
            }
            return s.charAt(pos);
        }

        private char next() {
            char c = peek();
            pos++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) {
                throw bad(s);
            }
        }
    }
}
