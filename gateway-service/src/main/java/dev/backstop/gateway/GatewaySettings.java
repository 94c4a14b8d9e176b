package dev.backstop.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;

/** Limits and integrations of the gateway (the {@code gateway:} section). */
public class GatewaySettings {
    /** Upper bound on rows returned; the policy's max_result_rows and the request's max_rows can only lower it. */
    @Min(1)
    @Max(10_000_000)
    private int maxResultRows = 10_000;

    /** Upper bound on statement_timeout (ms); the policy's statement_timeout_ms can only lower it. */
    @Min(1)
    private long statementTimeoutMs = 30_000;

    @Min(1)
    @Max(10_000)
    private int maxConcurrentRequestsPerPrincipal = 8;

    @Min(1)
    @Max(64L * 1024 * 1024)
    private long maxRequestBytes = 1_048_576;

    /** Longest long-poll a client may ask for with wait_seconds. */
    @Min(0)
    @Max(3600)
    private int maxWaitSeconds = 60;

    /** Timeout (ms) of the EXPLAIN used to estimate a write's impact. */
    @Min(1)
    private long impactExplainTimeoutMs = 2_000;

    /** How many audit rows at most go into one group-commit transaction. */
    @Min(1)
    @Max(10_000)
    private int auditBatchSize = 256;

    @NotNull
    private List<String> agentRoles = new ArrayList<>();

    private String sidecarUrl = "";

    private String sidecarToken = "";

    private String alertWebhookUrl = "";

    /** The posture stays degraded until no uncleared bypass was seen for this long (as the bypass detector). */
    @Min(1)
    private long bypassQuietPeriodSeconds = 900;

    /** Bound (ms) on the recovery gate's checks against the snapshot store, all tables together. */
    @Min(100)
    private long gateTimeoutMs = 10_000;

    /** Bound (ms) on the sidecar's POST /flush at execution time (the sidecar itself gives up after 30 s). */
    @Min(100)
    private long sidecarFlushTimeoutMs = 35_000;

    /**
     * How long after an operator approved it an approval that still says {@code approved} is overdue: twice the
     * time every bound the gateway sets on its execution adds up to (EXPLAIN, gate, flush, statement timeout), and
     * at least 10 minutes. Only a gateway that stopped in between (or a COMMIT waiting for a synchronous standby)
     * leaves one that long (docs/operations.md "approval-outcome-not-recorded").
     */
    public java.time.Duration approvalOutcomeOverdueAfter() {
        long boundsMs = impactExplainTimeoutMs + gateTimeoutMs + sidecarFlushTimeoutMs + statementTimeoutMs;
        return java.time.Duration.ofMillis(Math.max(600_000L, 2 * boundsMs));
    }

    @JsonProperty public int getMaxResultRows() { return maxResultRows; }
    @JsonProperty public void setMaxResultRows(int v) { this.maxResultRows = v; }
    @JsonProperty public long getStatementTimeoutMs() { return statementTimeoutMs; }
    @JsonProperty public void setStatementTimeoutMs(long v) { this.statementTimeoutMs = v; }
    @JsonProperty public int getMaxConcurrentRequestsPerPrincipal() { return maxConcurrentRequestsPerPrincipal; }
    @JsonProperty public void setMaxConcurrentRequestsPerPrincipal(int v) { this.maxConcurrentRequestsPerPrincipal = v; }
    @JsonProperty public long getMaxRequestBytes() { return maxRequestBytes; }
    @JsonProperty public void setMaxRequestBytes(long v) { this.maxRequestBytes = v; }
    @JsonProperty public int getMaxWaitSeconds() { return maxWaitSeconds; }
    @JsonProperty public void setMaxWaitSeconds(int v) { this.maxWaitSeconds = v; }
    @JsonProperty public long getImpactExplainTimeoutMs() { return impactExplainTimeoutMs; }
    @JsonProperty public void setImpactExplainTimeoutMs(long v) { this.impactExplainTimeoutMs = v; }
    @JsonProperty public int getAuditBatchSize() { return auditBatchSize; }
    @JsonProperty public void setAuditBatchSize(int v) { this.auditBatchSize = v; }
    @JsonProperty public List<String> getAgentRoles() { return agentRoles; }
    @JsonProperty public void setAgentRoles(List<String> v) { this.agentRoles = v; }
    @JsonProperty public String getSidecarUrl() { return sidecarUrl; }
    @JsonProperty public void setSidecarUrl(String v) { this.sidecarUrl = v == null ? "" : v; }
    @JsonProperty public String getSidecarToken() { return sidecarToken; }
    @JsonProperty public void setSidecarToken(String v) { this.sidecarToken = v == null ? "" : v; }
    @JsonProperty public long getGateTimeoutMs() { return gateTimeoutMs; }
    @JsonProperty public void setGateTimeoutMs(long v) { this.gateTimeoutMs = v; }
    @JsonProperty public long getSidecarFlushTimeoutMs() { return sidecarFlushTimeoutMs; }
    @JsonProperty public void setSidecarFlushTimeoutMs(long v) { this.sidecarFlushTimeoutMs = v; }
    @JsonProperty public long getBypassQuietPeriodSeconds() { return bypassQuietPeriodSeconds; }
    @JsonProperty public void setBypassQuietPeriodSeconds(long v) { this.bypassQuietPeriodSeconds = v; }
    @JsonProperty public String getAlertWebhookUrl() { return alertWebhookUrl; }
    @JsonProperty public void setAlertWebhookUrl(String v) { this.alertWebhookUrl = v == null ? "" : v; }
}
