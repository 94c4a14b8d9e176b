package dev.backstop.alerts;

import java.time.Instant;
import java.time.temporal.TemporalAccessor;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One alert (design.md "Alerts"). Never put SQL text or secrets in it: {@code sqlSha256} identifies a
 * statement, and {@code details} should carry identifiers (pids, ids, table names), not data.
 *
 * @param id                unique per alert, so a receiver can drop a duplicate delivered by a retry
 * @param event             what happened
 * @param severity          how urgent
 * @param time              when it happened
 * @param source            which process sent it (gateway, sidecar, ...); may be null
 * @param principal         who caused it (gateway principal or database role); may be null
 * @param table             schema.table concerned; may be null
 * @param sqlSha256         hex SHA-256 of the statement concerned; may be null
 * @param summary           one human-readable line
 * @param recommendedAction what an operator should do next
 * @param details           further facts; values are String, Number or Boolean (others become strings),
 *                          keys sorted so the JSON is deterministic; offset/zoned date-times become
 *                          UTC instants
 */
public record Alert(UUID id, AlertEvent event, Severity severity, Instant time, String source,
                    String principal, String table, String sqlSha256, String summary,
                    String recommendedAction, SortedMap<String, Object> details) {

    public Alert {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(time, "time");
        summary = summary == null ? event.wireName() : summary;
        recommendedAction = recommendedAction == null ? event.defaultRecommendedAction() : recommendedAction;
        details = normalise(details);
    }

    /** A builder with the event's default severity and recommended action and a random id. */
    public static Builder builder(AlertEvent event, Instant time) {
        return new Builder(event, time);
    }

    private static SortedMap<String, Object> normalise(Map<String, ?> in) {
        TreeMap<String, Object> out = new TreeMap<>();
        if (in != null) {
            in.forEach((k, v) -> out.put(Objects.requireNonNull(k, "detail key"), normaliseValue(v)));
        }
        return Collections.unmodifiableSortedMap(out);
    }

    private static Object normaliseValue(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean
                || v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof Double || v instanceof Float || v instanceof java.math.BigDecimal
                || v instanceof java.math.BigInteger) {
            return v;
        }
        if (v instanceof java.time.OffsetDateTime odt) {
            return odt.toInstant().toString();
        }
        if (v instanceof java.time.ZonedDateTime zdt) {
            return zdt.toInstant().toString();
        }
        if (v instanceof TemporalAccessor || v instanceof CharSequence) {
            return v.toString();
        }
        return String.valueOf(v);
    }

    public static final class Builder {
        private UUID id = UUID.randomUUID();
        private final AlertEvent event;
        private Severity severity;
        private final Instant time;
        private String source;
        private String principal;
        private String table;
        private String sqlSha256;
        private String summary;
        private String recommendedAction;
        private final TreeMap<String, Object> details = new TreeMap<>();

        private Builder(AlertEvent event, Instant time) {
            this.event = Objects.requireNonNull(event, "event");
            this.time = Objects.requireNonNull(time, "time");
            this.severity = event.defaultSeverity();
        }

        public Builder id(UUID value) { this.id = value; return this; }
        public Builder severity(Severity value) { this.severity = value; return this; }
        public Builder source(String value) { this.source = value; return this; }
        public Builder principal(String value) { this.principal = value; return this; }
        public Builder table(String value) { this.table = value; return this; }
        public Builder sqlSha256(String value) { this.sqlSha256 = value; return this; }
        public Builder summary(String value) { this.summary = value; return this; }
        public Builder recommendedAction(String value) { this.recommendedAction = value; return this; }

        public Builder detail(String key, Object value) {
            details.put(Objects.requireNonNull(key, "key"), value);
            return this;
        }

        public Builder details(Map<String, ?> values) {
            values.forEach(this::detail);
            return this;
        }

        public Alert build() {
            return new Alert(id, event, severity, time, source, principal, table, sqlSha256, summary,
                    recommendedAction, details);
        }
    }
}
