package dev.backstop.gateway.core;

import dev.backstop.policy.Policy;
import dev.backstop.policy.TableRef;
import java.util.List;

/**
 * Layer 3: may a table-recoverable CRITICAL operation on these tables run now? Consulted when the
 * request arrives (so nobody is asked to approve what cannot pass) and again right before execution.
 * Implementations must fail closed: any error or unknown state is a failed check.
 */
public interface RecoveryGate {
    String SNAPSHOT_EXISTS = "snapshot_exists";
    String SNAPSHOT_FRESH = "snapshot_fresh";
    String HEARTBEAT_CURRENT = "heartbeat_current";
    String MANIFEST_CHECKSUM_VALID = "manifest_checksum_valid";
    String NOT_QUARANTINED = "not_quarantined";
    List<String> CHECKS = List.of(SNAPSHOT_EXISTS, SNAPSHOT_FRESH, HEARTBEAT_CURRENT, MANIFEST_CHECKSUM_VALID,
            NOT_QUARANTINED);

    /** One named check for one table. */
    record Check(String name, String table, boolean passed, String detail) {
    }

    /** passed only if every check passed; reasons are stable codes for the decision. */
    record Result(boolean passed, List<Check> checks, List<String> reasons) {
        public Result {
            checks = List.copyOf(checks);
            reasons = List.copyOf(reasons);
        }
    }

    Result check(List<TableRef> tables, Policy policy);
}
