package dev.backstop.gateway.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.backstop.gateway.core.Approval;
import java.util.List;

/** An approval as shown by the API. The SQL shown is scrubbed of secrets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ApprovalView(
        String id,
        String status,
        String createdAt,
        String expiresAt,
        String requestedBy,
        String requestAuditId,
        String sql,
        String sqlSha256,
        String policyVersion,
        String risk,
        List<String> reasons,
        JsonNode statements,
        boolean recoveryGateRequired,
        List<String> gateTables,
        String requestReason,
        String decidedBy,
        String decidedAt,
        String decisionComment,
        String finishedAt,
        JsonNode result,
        JsonNode error,
        JsonNode gate) {

    public static ApprovalView of(Approval a) {
        return new ApprovalView(a.id(), a.status(), str(a.createdAt()), str(a.expiresAt()), a.requestedBy(),
                a.requestAuditId(), a.sqlScrubbed(), a.sqlSha256(), a.policyVersion(), a.risk(), a.reasons(),
                a.statements(), a.gateRequired(), a.gateTables(), a.requestReason(), a.decidedBy(), str(a.decidedAt()),
                a.decisionComment(), str(a.finishedAt()), a.result(), a.error(), a.gate());
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
