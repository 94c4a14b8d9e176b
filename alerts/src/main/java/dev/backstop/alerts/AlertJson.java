package dev.backstop.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The webhook body. Every key is always present (null when unknown) and in this order, so receivers can
 * rely on the shape:
 * <pre>
 * {"format_version":1,"id":"…","event":"bypass_detected","severity":"critical","time":"2026-…Z",
 *  "source":"sidecar","principal":"agent","table":null,"sql_sha256":null,"summary":"…",
 *  "recommended_action":"…","details":{…}}
 * </pre>
 */
public final class AlertJson {
    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AlertJson() {
    }

    public static ObjectNode toTree(Alert alert) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format_version", FORMAT_VERSION);
        root.put("id", alert.id().toString());
        root.put("event", alert.event().wireName());
        root.put("severity", alert.severity().wireName());
        root.put("time", alert.time().toString());
        root.put("source", alert.source());
        root.put("principal", alert.principal());
        root.put("table", alert.table());
        root.put("sql_sha256", alert.sqlSha256());
        root.put("summary", alert.summary());
        root.put("recommended_action", alert.recommendedAction());
        ObjectNode details = root.putObject("details");
        for (Map.Entry<String, Object> e : alert.details().entrySet()) {
            putValue(details, e.getKey(), e.getValue());
        }
        return root;
    }

    public static String toJson(Alert alert) {
        try {
            return MAPPER.writeValueAsString(toTree(alert));
        } catch (JsonProcessingException e) {
            // A tree of strings, numbers and booleans always serialises; this would be a bug.
            throw new IllegalStateException("alert could not be serialised", e);
        }
    }

    public static byte[] toBytes(Alert alert) {
        return toJson(alert).getBytes(StandardCharsets.UTF_8);
    }

    private static void putValue(ObjectNode node, String key, Object v) {
        if (v == null) {
            node.putNull(key);
        } else if (v instanceof Boolean b) {
            node.put(key, b);
        } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            node.put(key, ((Number) v).intValue());
        } else if (v instanceof Long l) {
            node.put(key, l);
        } else if (v instanceof Double d) {
            node.put(key, d);
        } else if (v instanceof Float f) {
            node.put(key, f);
        } else if (v instanceof BigDecimal d) {
            node.put(key, d);
        } else if (v instanceof BigInteger i) {
            node.put(key, i);
        } else {
            node.put(key, v.toString());
        }
    }
}
