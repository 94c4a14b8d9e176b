package dev.backstop.gateway.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.backstop.gateway.core.ExecutionResult;
import java.util.List;
import java.util.Map;

/**
 * POST /v1/query and approval responses. status: executed (200) | approval_required (202) | blocked (403)
 * | failed (approval whose execution PostgreSQL refused).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QueryResponse(
        String status,
        String risk,
        String operation,
        List<String> operations,
        List<String> reasons,
        List<ExecutionResult.Column> columns,
        List<List<JsonNode>> rows,
        Long rowCount,
        Boolean truncated,
        List<ExecutionResult.StatementResult> statements,
        String approvalId,
        String expiresAt,
        List<Map<String, Object>> gate,
        String auditId) {
}
