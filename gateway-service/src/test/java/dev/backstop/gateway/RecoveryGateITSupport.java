package dev.backstop.gateway;

import com.fasterxml.jackson.databind.JsonNode;

/** Audit look-ups shared by the recovery gate ITs. */
final class RecoveryGateITSupport {
    private RecoveryGateITSupport() {
    }

    /** The completion of the audit record of POST /v1/approvals/{id}/approve. */
    static JsonNode approveCompletion(GatewayFixture gw, String approvalId) throws Exception {
        for (JsonNode n : gw.auditRecords()) {
            if (n.get("record").path("path").asText().equals("/v1/approvals/" + approvalId + "/approve")) {
                return n.get("completion");
            }
        }
        throw new AssertionError("no audit record of the approval of " + approvalId);
    }
}
