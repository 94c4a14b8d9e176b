package dev.backstop.snapshot.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes canonical JSON (docs/snapshot-format.md section 3): no whitespace, members in call order, integers only,
 * minimal string escaping. The caller is responsible for member order; the writer checks nesting.
 */
public final class CanonicalJsonWriter {
    private final StringBuilder out = new StringBuilder(512);
    /** true = the current container already has an element (a comma is needed before the next). */
    private final Deque<Boolean> hasElement = new ArrayDeque<>();
    private boolean expectValue;

    public CanonicalJsonWriter beginObject() {
        beforeValue();
        out.append('{');
        hasElement.push(false);
        return this;
    }

    public CanonicalJsonWriter endObject() {
        hasElement.pop();
        out.append('}');
        return this;
    }

    public CanonicalJsonWriter beginArray() {
        beforeValue();
        out.append('[');
        hasElement.push(false);
        return this;
    }

    public CanonicalJsonWriter endArray() {
        hasElement.pop();
        out.append(']');
        return this;
    }

    public CanonicalJsonWriter name(String name) {
        if (hasElement.isEmpty()) {
            throw new IllegalStateException("member name outside an object");
        }
        if (hasElement.peek()) {
            out.append(',');
        }
        hasElement.pop();
        hasElement.push(true);
        string(name);
        out.append(':');
        expectValue = true;
        return this;
    }

    public CanonicalJsonWriter value(String s) {
        beforeValue();
        if (s == null) {
            out.append("null");
        } else {
            string(s);
        }
        return this;
    }

    public CanonicalJsonWriter value(long n) {
        beforeValue();
        out.append(n);
        return this;
    }

    public CanonicalJsonWriter value(boolean b) {
        beforeValue();
        out.append(b);
        return this;
    }

    public CanonicalJsonWriter nullValue() {
        beforeValue();
        out.append("null");
        return this;
    }

    /** Writes {@code name: value} only when value is not null (optional members are omitted, never null). */
    public CanonicalJsonWriter optional(String name, String value) {
        return value == null ? this : name(name).value(value);
    }

    public CanonicalJsonWriter optional(String name, Long value) {
        return value == null ? this : name(name).value(value.longValue());
    }

    public String toJson() {
        if (!hasElement.isEmpty()) {
            throw new IllegalStateException("unclosed object or array");
        }
        return out.toString();
    }

    public byte[] toBytes() {
        return toJson().getBytes(StandardCharsets.UTF_8);
    }

    private void beforeValue() {
        if (expectValue) {
            expectValue = false;
            return;
        }
        if (!hasElement.isEmpty()) {
            if (hasElement.peek()) {
                out.append(',');
            }
            hasElement.pop();
            hasElement.push(true);
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
