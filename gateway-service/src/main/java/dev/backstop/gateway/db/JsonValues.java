package dev.backstop.gateway.db;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * Converts PostgreSQL values to JSON without losing information: int2/int4 as numbers; int8 and
 * numeric as strings (exact in every JSON client); float4/float8 as numbers (NaN/Infinity as strings);
 * timestamptz ISO-8601 with offset (UTC); timestamp/date/time ISO-8601 without offset (they have none);
 * bytea as base64; json/jsonb nested; arrays as JSON arrays; NULL as null; everything else as
 * PostgreSQL's text form.
 */
public final class JsonValues {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Exact decimals: a json number like 0.1000000000000000055 must come back unchanged. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();
    private static final DateTimeFormatter TSTZ = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private JsonValues() {
    }

    public static JsonNode read(ResultSet rs, int col, String type) throws SQLException {
        switch (type) {
            case "int2", "int4", "oid" -> {
                long v = rs.getLong(col);
                return rs.wasNull() ? F.nullNode() : F.numberNode(v);
            }
            case "int8", "numeric" -> {
                String s = rs.getString(col);
                return s == null ? F.nullNode() : F.textNode(s);
            }
            case "float4", "float8" -> {
                double v = rs.getDouble(col);
                if (rs.wasNull()) {
                    return F.nullNode();
                }
                return Double.isFinite(v) ? F.numberNode(v) : F.textNode(rs.getString(col));
            }
            case "bool" -> {
                boolean v = rs.getBoolean(col);
                return rs.wasNull() ? F.nullNode() : F.booleanNode(v);
            }
            case "bytea" -> {
                byte[] v = rs.getBytes(col);
                return v == null ? F.nullNode() : F.textNode(Base64.getEncoder().encodeToString(v));
            }
            case "json", "jsonb" -> {
                String s = rs.getString(col);
                return s == null ? F.nullNode() : parseJson(s);
            }
            case "timestamptz" -> {
                String raw = rs.getString(col);
                if (raw == null) {
                    return F.nullNode();
                }
                if (raw.endsWith("infinity")) {
                    return F.textNode(raw);
                }
                OffsetDateTime v = rs.getObject(col, OffsetDateTime.class);
                return F.textNode(v.withOffsetSameInstant(ZoneOffset.UTC).format(TSTZ));
            }
            case "timestamp" -> {
                String raw = rs.getString(col);
                if (raw == null || raw.endsWith("infinity")) {
                    return raw == null ? F.nullNode() : F.textNode(raw);
                }
                return F.textNode(rs.getObject(col, LocalDateTime.class).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
            }
            case "date" -> {
                String raw = rs.getString(col);
                if (raw == null || raw.endsWith("infinity")) {
                    return raw == null ? F.nullNode() : F.textNode(raw);
                }
                return F.textNode(rs.getObject(col, LocalDate.class).toString());
            }
            case "time" -> {
                LocalTime v = rs.getObject(col, LocalTime.class);
                return v == null ? F.nullNode() : F.textNode(v.format(DateTimeFormatter.ISO_LOCAL_TIME));
            }
            case "timetz" -> {
                OffsetTime v = rs.getObject(col, OffsetTime.class);
                return v == null ? F.nullNode() : F.textNode(v.format(DateTimeFormatter.ISO_OFFSET_TIME));
            }
            default -> {
                if (type.startsWith("_")) {
                    Array a = rs.getArray(col);
                    return a == null ? F.nullNode() : array(a.getArray(), type.substring(1));
                }
                String s = rs.getString(col);
                return s == null ? F.nullNode() : F.textNode(s);
            }
        }
    }

    /** Array elements as pgjdbc decodes them (Java objects), mapped with the same rules. */
    static JsonNode array(Object javaArray, String elementType) {
        ArrayNode out = F.arrayNode();
        int n = java.lang.reflect.Array.getLength(javaArray);
        for (int i = 0; i < n; i++) {
            out.add(element(java.lang.reflect.Array.get(javaArray, i), elementType));
        }
        return out;
    }

    private static JsonNode element(Object v, String type) {
        if (v == null) {
            return F.nullNode();
        }
        if (v.getClass().isArray() && !(v instanceof byte[])) {
            return array(v, type);
        }
        return switch (type) {
            case "int2", "int4", "oid" -> F.numberNode(((Number) v).longValue());
            case "int8" -> F.textNode(v.toString());
            case "numeric" -> F.textNode(v instanceof BigDecimal b ? b.toPlainString() : v.toString());
            case "float4", "float8" -> {
                double d = ((Number) v).doubleValue();
                yield Double.isFinite(d) ? F.numberNode(d) : F.textNode(v.toString());
            }
            case "bool" -> F.booleanNode((Boolean) v);
            case "bytea" -> F.textNode(Base64.getEncoder().encodeToString((byte[]) v));
            case "json", "jsonb" -> parseJson(v.toString());
            case "timestamptz" -> v instanceof Timestamp t
                    ? F.textNode(t.toInstant().atOffset(ZoneOffset.UTC).format(TSTZ))
                    : F.textNode(v.toString());
            case "timestamp" -> v instanceof Timestamp t
                    ? F.textNode(t.toLocalDateTime().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME))
                    : F.textNode(v.toString());
            case "date" -> v instanceof java.sql.Date d ? F.textNode(d.toLocalDate().toString()) : F.textNode(v.toString());
            default -> F.textNode(v.toString());
        };
    }

    private static JsonNode parseJson(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (Exception e) {
            // PostgreSQL validated it; if Jackson cannot read it, keep the exact text rather than lose it.
            return F.textNode(s);
        }
    }
}
