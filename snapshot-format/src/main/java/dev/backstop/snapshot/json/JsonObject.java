package dev.backstop.snapshot.json;

import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.Lsn;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed access to a parsed JSON object. {@code require*} throw {@link FormatException} naming the member path;
 * {@code opt*} return null when the member is absent or null. Unknown members are ignored (readers tolerate them).
 */
public final class JsonObject {
    private final Map<String, Object> members;
    private final String path;

    JsonObject(Map<String, Object> members, String path) {
        this.members = members;
        this.path = path;
    }

    public boolean has(String name) {
        return members.get(name) != null;
    }

    public String requireString(String name) {
        String v = optString(name);
        if (v == null) {
            throw missing(name);
        }
        return v;
    }

    public String optString(String name) {
        Object v = members.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String str)) {
            throw wrongType(name, "a string");
        }
        return str;
    }

    public long requireLong(String name) {
        Long v = optLong(name);
        if (v == null) {
            throw missing(name);
        }
        return v;
    }

    public Long optLong(String name) {
        Object v = members.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Long l)) {
            throw wrongType(name, "an integer");
        }
        return l;
    }

    public boolean requireBoolean(String name) {
        Object v = members.get(name);
        if (v == null) {
            throw missing(name);
        }
        if (!(v instanceof Boolean b)) {
            throw wrongType(name, "a boolean");
        }
        return b;
    }

    public Lsn requireLsn(String name) {
        return parseLsn(name, requireString(name));
    }

    public Lsn optLsn(String name) {
        String v = optString(name);
        return v == null ? null : parseLsn(name, v);
    }

    public Instant requireInstant(String name) {
        Instant v = optInstant(name);
        if (v == null) {
            throw missing(name);
        }
        return v;
    }

    public Instant optInstant(String name) {
        String v = optString(name);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new FormatException("member '" + path + name + "' is not an ISO-8601 UTC time");
        }
    }

    public JsonObject requireObject(String name) {
        Object v = members.get(name);
        if (v == null) {
            throw missing(name);
        }
        return asObject(v, path + name + ".");
    }

    public List<JsonObject> requireObjectList(String name) {
        List<Object> raw = requireList(name);
        List<JsonObject> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            out.add(asObject(raw.get(i), path + name + "[" + i + "]."));
        }
        return out;
    }

    public List<String> requireStringList(String name) {
        List<Object> raw = requireList(name);
        List<String> out = new ArrayList<>(raw.size());
        for (Object o : raw) {
            if (!(o instanceof String str)) {
                throw wrongType(name, "a list of strings");
            }
            out.add(str);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private List<Object> requireList(String name) {
        Object v = members.get(name);
        if (v == null) {
            throw missing(name);
        }
        if (!(v instanceof List<?> l)) {
            throw wrongType(name, "an array");
        }
        return (List<Object>) l;
    }

    @SuppressWarnings("unchecked")
    private JsonObject asObject(Object v, String p) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new FormatException("member '" + p + "' is not an object");
        }
        return new JsonObject((Map<String, Object>) m, p);
    }

    private Lsn parseLsn(String name, String v) {
        try {
            return Lsn.parse(v);
        } catch (IllegalArgumentException e) {
            throw new FormatException("member '" + path + name + "' is not an LSN");
        }
    }

    private FormatException missing(String name) {
        return new FormatException("member '" + path + name + "' is missing");
    }

    private FormatException wrongType(String name, String expected) {
        return new FormatException("member '" + path + name + "' is not " + expected);
    }
}
