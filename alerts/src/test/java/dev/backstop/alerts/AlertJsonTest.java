package dev.backstop.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AlertJsonTest {
    static final UUID ID = UUID.fromString("6f1c2a7e-0d5b-4c1e-9a51-2b7c3d4e5f60");
    static final Instant T = Instant.parse("2026-11-26T10:15:30Z");

    @Test
    void fullAlertHasEveryKeyInOrderWithSortedDetails() {
        Alert alert = Alert.builder(AlertEvent.BYPASS_DETECTED, T)
                .id(ID)
                .source("sidecar")
                .principal("agent")
                .sqlSha256("ab12")
                .summary("direct connection as agent")
                .detail("backend_pid", 4242)
                .detail("backend_start", OffsetDateTime.of(2026, 11, 26, 10, 15, 0, 0, ZoneOffset.UTC))
                .detail("application_name", "psql")
                .detail("client_addr", null)
                .detail("terminated", false)
                .detail("lag", new BigDecimal("1.50"))
                .build();
        assertEquals("{\"format_version\":1,\"id\":\"6f1c2a7e-0d5b-4c1e-9a51-2b7c3d4e5f60\","
                        + "\"event\":\"bypass_detected\",\"severity\":\"critical\",\"time\":\"2026-11-26T10:15:30Z\","
                        + "\"source\":\"sidecar\",\"principal\":\"agent\",\"table\":null,\"sql_sha256\":\"ab12\","
                        + "\"summary\":\"direct connection as agent\",\"recommended_action\":\""
                        + AlertEvent.BYPASS_DETECTED.defaultRecommendedAction() + "\","
                        + "\"details\":{\"application_name\":\"psql\",\"backend_pid\":4242,"
                        + "\"backend_start\":\"2026-11-26T10:15:00Z\",\"client_addr\":null,\"lag\":1.50,"
                        + "\"terminated\":false}}",
                AlertJson.toJson(alert));
    }

    @Test
    void minimalAlertDefaultsSummarySeverityAndAction() {
        Alert alert = Alert.builder(AlertEvent.RESUMED, T).id(ID).build();
        assertEquals("{\"format_version\":1,\"id\":\"6f1c2a7e-0d5b-4c1e-9a51-2b7c3d4e5f60\",\"event\":\"resumed\","
                        + "\"severity\":\"info\",\"time\":\"2026-11-26T10:15:30Z\",\"source\":null,\"principal\":null,"
                        + "\"table\":null,\"sql_sha256\":null,\"summary\":\"resumed\","
                        + "\"recommended_action\":\"Nothing to do: queries flow again.\",\"details\":{}}",
                AlertJson.toJson(alert));
    }

    @Test
    void explicitSeverityAndActionWinAndQuotesAreEscaped() {
        Alert alert = Alert.builder(AlertEvent.TABLE_DROPPED, T).id(ID)
                .severity(Severity.CRITICAL)
                .table("public.\"Orders\"")
                .recommendedAction("restore rp-1")
                .build();
        String json = AlertJson.toJson(alert);
        assertEquals(true, json.contains("\"severity\":\"critical\""));
        assertEquals(true, json.contains("\"table\":\"public.\\\"Orders\\\"\""));
        assertEquals(true, json.contains("\"recommended_action\":\"restore rp-1\""));
    }

    @Test
    void detailsAreACopyAndImmutable() {
        Map<String, Object> in = new HashMap<>();
        in.put("k", "v");
        Alert alert = Alert.builder(AlertEvent.S3_FAILURE, T).id(ID).details(in).build();
        in.put("k", "changed");
        assertEquals("v", alert.details().get("k"));
        assertThrows(UnsupportedOperationException.class, () -> alert.details().put("x", 1));
    }

    @Test
    void unknownValueTypesBecomeStrings() {
        Alert alert = Alert.builder(AlertEvent.DRILL_FAILED, T).id(ID).detail("tables", List.of("a", "b")).build();
        assertEquals("[a, b]", alert.details().get("tables"));
    }

    @Test
    void everyDesignEventHasAStableWireName() {
        assertEquals(List.of("approval_requested", "approval_denied", "approval_expired",
                        "dangerous_operation_blocked", "recovery_gate_failed", "bypass_detected", "table_dropped",
                        "snapshot_failure", "s3_failure", "agent_quarantined", "paused", "resumed", "drill_failed",
                        "posture_degraded", "posture_cleared", "statement_outcome_unknown"),
                Arrays.stream(AlertEvent.values()).map(AlertEvent::wireName).toList());
        for (AlertEvent e : AlertEvent.values()) {
            assertEquals(e, AlertEvent.fromWireName(e.wireName()));
        }
        assertThrows(IllegalArgumentException.class, () -> AlertEvent.fromWireName("BYPASS_DETECTED"));
    }
}
