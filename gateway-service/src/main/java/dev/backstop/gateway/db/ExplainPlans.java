package dev.backstop.gateway.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads the planner's row estimate for a write out of EXPLAIN (FORMAT JSON). */
final class ExplainPlans {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExplainPlans() {
    }

    /**
     * Rows the write will touch: for a ModifyTable node (which itself reports 0 rows without
     * RETURNING) the estimate of its input plan, otherwise the top node's estimate.
     */
    static long writtenRows(String explainJson) {
        try {
            JsonNode plan = JSON.readTree(explainJson).get(0).get("Plan");
            if ("ModifyTable".equals(plan.path("Node Type").asText()) && plan.has("Plans")) {
                plan = plan.get("Plans").get(0);
            }
            double rows = plan.path("Plan Rows").asDouble(-1);
            if (rows < 0) {
                throw new IllegalStateException("no Plan Rows");
            }
            return (long) Math.ceil(rows);
        } catch (Exception e) {
            throw new IllegalStateException("unreadable EXPLAIN output", e);
        }
    }
}
