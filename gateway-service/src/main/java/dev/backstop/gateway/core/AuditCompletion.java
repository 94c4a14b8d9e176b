package dev.backstop.gateway.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * The part of an audit record written after the request finished: what actually happened.
 *
 * @param outcome executed | approval_required | blocked | failed | denied | ok | error | outcome_unknown
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public record AuditCompletion(
        String completedAt,
        String outcome,
        int status,
        String errorCode,
        String errorMessage,
        String sqlstate,
        Long rowCount,
        String risk,
        List<String> reasons,
        String approvalId,
        String approver,
        List<Map<String, Object>> gate,
        List<RecoveryGate.RecoveryPoint> recoveryPoints,
        String recoveryLsn,
        String commitLsn,
        String walInsertLsnBeforeCommit,
        String xid,
        double durationMs) {

    public static Builder builder(String completedAt, String outcome, int status, double durationMs) {
        Builder b = new Builder();
        b.completedAt = completedAt;
        b.outcome = outcome;
        b.status = status;
        b.durationMs = durationMs;
        return b;
    }

    public static final class Builder {
        private String completedAt;
        private String outcome;
        private int status;
        private String errorCode;
        private String errorMessage;
        private String sqlstate;
        private Long rowCount;
        private String risk;
        private List<String> reasons;
        private String approvalId;
        private String approver;
        private List<Map<String, Object>> gate;
        private List<RecoveryGate.RecoveryPoint> recoveryPoints;
        private String recoveryLsn;
        private String commitLsn;
        private String walInsertLsnBeforeCommit;
        private String xid;
        private double durationMs;

        public Builder error(ErrorCode code, String scrubbedMessage) {
            this.errorCode = code == null ? null : code.code();
            this.errorMessage = scrubbedMessage;
            return this;
        }
        public Builder sqlstate(String v) { this.sqlstate = v; return this; }
        public Builder rowCount(Long v) { this.rowCount = v; return this; }
        public Builder risk(String v) { this.risk = v; return this; }
        public Builder reasons(List<String> v) { this.reasons = v; return this; }
        public Builder approvalId(String v) { this.approvalId = v; return this; }
        public Builder approver(String v) { this.approver = v; return this; }
        public Builder gate(List<Map<String, Object>> v) { this.gate = v; return this; }

        /** The recovery points the gate flushed and verified, and the flush's durable LSN. */
        public Builder recovery(RecoveryGate.Result g) {
            if (g != null && !g.recoveryPoints().isEmpty()) {
                this.recoveryPoints = g.recoveryPoints();
                this.recoveryLsn = g.recoveryLsn();
            }
            return this;
        }

        /**
         * commit_lsn = the WAL insert position read right before COMMIT, plus one: our commit record
         * ends at or after it, every transaction committed before the read ends before it, so a
         * restore to commit_lsn - 1 is "just before this statement" (docs/api.md "Audit").
         */
        public Builder commit(ExecutionResult.CommitPoint c) {
            if (c != null) {
                dev.backstop.snapshot.Lsn before = dev.backstop.snapshot.Lsn.parse(c.walInsertLsn());
                this.walInsertLsnBeforeCommit = before.toString();
                this.commitLsn = dev.backstop.snapshot.Lsn.of(before.value() + 1).toString();
                this.xid = c.xid();
            }
            return this;
        }

        public AuditCompletion build() {
            return new AuditCompletion(completedAt, outcome, status, errorCode, errorMessage, sqlstate, rowCount, risk,
                    reasons, approvalId, approver, gate, recoveryPoints, recoveryLsn, commitLsn,
                    walInsertLsnBeforeCommit, xid, Math.round(durationMs * 1000) / 1000.0);
        }
    }
}
