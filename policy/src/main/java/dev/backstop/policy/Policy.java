package dev.backstop.policy;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loaded, validated policy. Field names mirror the JSON keys (docs/policy.md); the JSON key of
 * each component is its snake_case form. Build one with {@link PolicyLoader}; {@link #defaults()}
 * is the policy used when no file is given.
 *
 * @param version a content hash of the canonical policy, used to key caches and in audit
 */
public record Policy(
        // the seed's seven keys
        Set<Risk> requireApprovalForRisks,
        Set<String> blockOperations,
        boolean requireRecoveryForCritical,
        boolean blockUnknownOrParseFailure,
        boolean impactAnalysisEnabled,
        long maxWriteRowsWithoutCritical,
        double maxWritePercentWithoutCritical,
        // the original Backstop's further keys
        boolean blockUnrecoverableOperations,
        long maxSnapshotAgeSeconds,
        boolean requireSidecarHeartbeat,
        long maxSidecarHeartbeatSeconds,
        boolean requireObjectChecksum,
        Set<String> protectedTables,
        Map<String, Set<String>> protectedColumns,
        Outcome unknownImpactAction,
        Map<String, List<String>> recoveryGroups,
        boolean foreignKeyGroupingEnabled,
        boolean cascadeRiskRequiresGroupReadiness,
        int maxBlockedAttemptsPerWindow,
        long dangerousRetryWindowSeconds,
        long quarantineDurationSeconds,
        boolean quarantineBlocksSafeQueries,
        // our additions
        long maxStatementBytes,
        long approvalTtlSeconds,
        long statementTimeoutMs,
        long maxResultRows,
        String version) {

    public Policy {
        requireApprovalForRisks = Set.copyOf(requireApprovalForRisks);
        blockOperations = Set.copyOf(blockOperations);
        protectedTables = Set.copyOf(protectedTables);
        protectedColumns = Map.copyOf(protectedColumns);
        recoveryGroups = Map.copyOf(recoveryGroups);
    }

    /** The documented defaults (design.md "Layer 2"). */
    public static Policy defaults() {
        return PolicyLoader.defaults();
    }
}
