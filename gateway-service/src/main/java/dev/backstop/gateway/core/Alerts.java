package dev.backstop.gateway.core;

import dev.backstop.alerts.Alert;
import dev.backstop.alerts.AlertEvent;
import java.time.Instant;
import java.util.List;

/** The gateway's alerts that need more than one line to build (shared by the query and approval paths). */
final class Alerts {
    static final String SOURCE = "gateway";

    private Alerts() {
    }

    static String firstTable(QueryPlan plan) {
        return plan.classification().statements().stream().flatMap(s -> s.tables().stream())
                .map(t -> t.qualifiedName()).findFirst().orElse(null);
    }

    /** recovery_gate_failed: the failed checks by name (details: check -> table list), never SQL text. */
    static Alert gateFailed(Instant now, String principal, QueryPlan plan, RecoveryGate.Result gate, String auditId) {
        List<RecoveryGate.Check> failed = gate.checks().stream().filter(c -> !c.passed()).toList();
        Alert.Builder b = Alert.builder(AlertEvent.RECOVERY_GATE_FAILED, now).source(SOURCE).principal(principal)
                .sqlSha256(plan.sqlSha256()).table(failed.isEmpty() ? firstTable(plan) : failed.get(0).table())
                .summary("recovery gate failed: " + String.join(", ",
                        failed.stream().map(RecoveryGate.Check::name).distinct().toList()))
                .detail("audit_id", auditId)
                .detail("failed_checks", String.join(",", failed.stream().map(RecoveryGate.Check::name).distinct().toList()));
        for (RecoveryGate.Check c : failed) {
            b.detail("check." + c.name() + "." + c.table(), c.detail());
        }
        return b.build();
    }

    /** statement_outcome_unknown: the connection broke while the statement's COMMIT ran; it may have committed. */
    static Alert outcomeUnknown(Instant now, String principal, QueryPlan plan, String auditId, String approvalId) {
        Alert.Builder b = Alert.builder(AlertEvent.STATEMENT_OUTCOME_UNKNOWN, now).source(SOURCE).principal(principal)
                .sqlSha256(plan.sqlSha256()).table(firstTable(plan))
                .summary("the connection broke while the statement's COMMIT ran: it may have committed"
                        + (approvalId == null ? "" : " (approval " + approvalId + ")"))
                .detail("audit_id", auditId);
        if (approvalId != null) {
            b.detail("approval_id", approvalId);
        }
        return b.build();
    }

    /** table_dropped: a DROP TABLE executed; its recovery point is the one flushed right before. */
    static Alert tableDropped(Instant now, String principal, QueryPlan plan, String table,
                              RecoveryGate.RecoveryPoint rp, String auditId) {
        Alert.Builder b = Alert.builder(AlertEvent.TABLE_DROPPED, now).source(SOURCE).principal(principal)
                .sqlSha256(plan.sqlSha256()).table(table)
                .summary(table + " was dropped through the gateway; latest recovery point "
                        + (rp == null ? "unknown (the recovery gate did not run)" : rp.manifestKey()))
                .recommendedAction("If the drop was a mistake: backstop restore restore " + table
                        + " --before-audit " + auditId)
                .detail("audit_id", auditId);
        if (rp != null) {
            b.detail("manifest_key", rp.manifestKey()).detail("covered_lsn", rp.coveredLsn());
        }
        return b.build();
    }

    /** table_dropped for every table a DROP TABLE statement of an executed plan named. */
    static void dropped(dev.backstop.alerts.AlertSink sink, Instant now, String principal, QueryPlan plan,
                        RecoveryGate.Result gate, String auditId) {
        for (var s : plan.classification().statements()) {
            if (!s.operation().equals("DROP TABLE")) {
                continue;
            }
            for (var t : s.tables()) {
                RecoveryGate.RecoveryPoint rp = gate == null ? null : gate.recoveryPoints().stream()
                        .filter(p -> p.table().equals(t.qualifiedName())).findFirst().orElse(null);
                sink.send(tableDropped(now, principal, plan, t.qualifiedName(), rp, auditId));
            }
        }
    }
}
