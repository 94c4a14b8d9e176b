package dev.backstop.gateway.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * The part of an audit record written (and committed) before anything is executed. Serialized to
 * canonical JSON, which is exactly the text hashed into the chain. SQL is already scrubbed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public record AuditEntry(
        String id,
        String ts,
        String requestId,
        String principal,
        String role,
        String clientAddress,
        String method,
        String path,
        String sql,
        String sqlSha256,
        List<Map<String, Object>> statements,
        String risk,
        String decision,
        List<String> reasons,
        String approvalId,
        String policyVersion,
        List<Map<String, Object>> gate) {

    public static Builder builder(String id, String ts, RequestContext ctx) {
        Builder b = new Builder();
        b.id = id;
        b.ts = ts;
        b.requestId = ctx.requestId().toString();
        b.principal = ctx.principal().name();
        b.role = ctx.principal().role().wireName();
        b.clientAddress = ctx.clientAddress();
        b.method = ctx.method();
        b.path = ctx.path();
        return b;
    }

    /** Collects the fields as a request is planned; {@link #build()} freezes them. */
    public static final class Builder {
        private String id;
        private String ts;
        private String requestId;
        private String principal;
        private String role;
        private String clientAddress;
        private String method;
        private String path;
        private String sql;
        private String sqlSha256;
        private List<Map<String, Object>> statements;
        private String risk;
        private String decision;
        private List<String> reasons;
        private String approvalId;
        private String policyVersion;
        private List<Map<String, Object>> gate;

        public String id() { return id; }
        public Builder sql(String scrubbedSql, String sha256) { this.sql = scrubbedSql; this.sqlSha256 = sha256; return this; }
        public Builder statements(List<Map<String, Object>> v) { this.statements = v; return this; }
        public Builder risk(String v) { this.risk = v; return this; }
        public Builder decision(String v) { this.decision = v; return this; }
        public Builder reasons(List<String> v) { this.reasons = v; return this; }
        public Builder approvalId(String v) { this.approvalId = v; return this; }
        public Builder policyVersion(String v) { this.policyVersion = v; return this; }
        public Builder gate(List<Map<String, Object>> v) { this.gate = v; return this; }

        public AuditEntry build() {
            return new AuditEntry(id, ts, requestId, principal, role, clientAddress, method, path, sql, sqlSha256,
                    statements, risk, decision, reasons, approvalId, policyVersion, gate);
        }
    }
}
