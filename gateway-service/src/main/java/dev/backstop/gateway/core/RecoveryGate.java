package dev.backstop.gateway.core;

import dev.backstop.policy.Policy;
import dev.backstop.policy.TableRef;
import java.util.List;

/**
 * Layer 3: may a table-recoverable CRITICAL operation on these tables run now? {@link #check} is
 * consulted when the request arrives (so nobody is asked to approve what cannot pass), by
 * /v1/classify, and again right before execution; {@link #flush} runs last, right before execution,
 * and names the recovery points the statement will be recoverable from.
 * Implementations must fail closed: any error, timeout or unknown state is a failed check.
 */
public interface RecoveryGate {
    String SNAPSHOT_EXISTS = "snapshot_exists";
    String SNAPSHOT_FRESH = "snapshot_fresh";
    String HEARTBEAT_CURRENT = "heartbeat_current";
    String MANIFEST_CHECKSUM_VALID = "manifest_checksum_valid";
    String NOT_QUARANTINED = "not_quarantined";
    /** Execution time only: the sidecar made every change up to now durable and named the recovery points. */
    String RECOVERY_POINT_FLUSHED = "recovery_point_flushed";
    List<String> CHECKS = List.of(SNAPSHOT_EXISTS, SNAPSHOT_FRESH, HEARTBEAT_CURRENT, MANIFEST_CHECKSUM_VALID,
            NOT_QUARANTINED);
    /** Reason code prefix of a failed check in a blocked decision: {@code recovery_gate_failed:<check>}. */
    String FAILED_REASON_PREFIX = "recovery_gate_failed:";

    /** One named check for one table. */
    record Check(String name, String table, boolean passed, String detail) {
    }

    /** The recovery point a statement is recoverable from (snake_case names are the audit's). */
    record RecoveryPoint(String table, String manifestKey, String coveredLsn) {
    }

    /**
     * passed only if every check passed; reasons are stable codes for the decision. recoveryPoints
     * and recoveryLsn are set by a passed {@link #flush}.
     */
    record Result(boolean passed, List<Check> checks, List<String> reasons, List<RecoveryPoint> recoveryPoints,
                  String recoveryLsn) {
        public Result {
            checks = List.copyOf(checks);
            reasons = List.copyOf(reasons);
            recoveryPoints = List.copyOf(recoveryPoints);
        }

        public Result(boolean passed, List<Check> checks, List<String> reasons) {
            this(passed, checks, reasons, List.of(), null);
        }

        /** A result from checks alone: passed iff there is at least one check and all passed. */
        public static Result of(List<Check> checks) {
            boolean passed = !checks.isEmpty() && checks.stream().allMatch(Check::passed);
            return new Result(passed, checks, failedReasons(checks));
        }

        /** This result followed by a later stage's (e.g. the checks, then the flush). */
        public Result then(Result later) {
            List<Check> all = new java.util.ArrayList<>(checks);
            all.addAll(later.checks());
            List<String> why = new java.util.ArrayList<>(reasons);
            later.reasons().stream().filter(r -> !why.contains(r)).forEach(why::add);
            return new Result(passed && later.passed(), all, why, later.recoveryPoints(), later.recoveryLsn());
        }

        public static List<String> failedReasons(List<Check> checks) {
            return checks.stream().filter(c -> !c.passed()).map(c -> FAILED_REASON_PREFIX + c.name()).distinct()
                    .toList();
        }
    }

    /** The five named checks for each table (no side effects). */
    Result check(List<TableRef> tables, Policy policy);

    /**
     * Asks the sidecar to make every change up to now durable and verifies the recovery points it
     * returns (manifest checksum, listed files, quarantine). The statement runs only if this passed.
     */
    Result flush(List<TableRef> tables, Policy policy);
}
