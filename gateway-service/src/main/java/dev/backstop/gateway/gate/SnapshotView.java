package dev.backstop.gateway.gate;

import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.GatewayException;
import dev.backstop.gateway.core.PolicyHolder;
import dev.backstop.gateway.core.SecretScrubber;
import dev.backstop.policy.Policy;
import dev.backstop.snapshot.Heartbeat;
import dev.backstop.snapshot.QuarantineMarker;
import dev.backstop.snapshot.RecoveryPointRef;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.store.ObjectStoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** GET /v1/snapshots and /v1/snapshots/{schema.table}, and the posture's snapshot part, from the catalog. */
public final class SnapshotView {
    private final SnapshotRecoveryGate gate;
    private final PolicyHolder policies;
    private final java.time.Clock clock;

    public SnapshotView(SnapshotRecoveryGate gate, PolicyHolder policies, java.time.Clock clock) {
        this.gate = gate;
        this.policies = policies;
        this.clock = clock;
    }

    /** Every table of this database with a recovery point, with freshness and quarantine of its latest one. */
    public Map<String, Object> all() {
        try {
            Policy policy = policies.policy();
            List<Map<String, Object>> tables = new ArrayList<>();
            for (TableRef t : gate.catalog().listTables()) {
                if (t.database().equals(gate.database())) {
                    tables.add(status(gate.status(t, policy)));
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("database", gate.database());
            out.put("max_snapshot_age_seconds", policy.maxSnapshotAgeSeconds());
            out.put("sidecar_heartbeat", heartbeat(gate.newestHeartbeat(), policy));
            out.put("tables", tables);
            return out;
        } catch (ObjectStoreException e) {
            throw unavailable(e);
        }
    }

    /** One table: every recovery point (oldest first), the latest's status and the quarantine markers. */
    public Map<String, Object> table(String qualified) {
        TableRef t;
        try {
            t = TableRef.parse(gate.database(), qualified);
        } catch (IllegalArgumentException e) {
            throw new GatewayException(ErrorCode.INVALID_REQUEST, "expected schema.table, e.g. public.orders",
                    Map.of("field", "table"));
        }
        try {
            Policy policy = policies.policy();
            List<RecoveryPointRef> points = gate.catalog().listRecoveryPoints(t);
            Set<String> quarantined = new TreeSet<>();
            List<Map<String, Object>> markers = new ArrayList<>();
            for (QuarantineMarker q : gate.catalog().listQuarantine(t)) {
                quarantined.add(q.recoveryPointId());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("recovery_point_id", q.recoveryPointId());
                m.put("reason", q.reason());
                m.put("quarantined_by", q.quarantinedBy());
                m.put("quarantined_at", q.quarantinedAt() == null ? null : q.quarantinedAt().toString());
                markers.add(m);
            }
            List<Map<String, Object>> rps = new ArrayList<>();
            for (RecoveryPointRef r : points) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("recovery_point_id", r.recoveryPointId());
                m.put("manifest_key", r.manifestKey());
                m.put("covered_lsn", r.coveredLsn().toString());
                m.put("created_at", SnapshotKeys.createdAtOfId(r.recoveryPointId()).map(Instant::toString).orElse(null));
                m.put("quarantined", quarantined.contains(r.recoveryPointId()));
                rps.add(m);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("database", gate.database());
            out.put("latest", status(gate.status(t, policy)));
            out.put("recovery_points", rps);
            out.put("quarantine", markers);
            return out;
        } catch (ObjectStoreException e) {
            throw unavailable(e);
        }
    }

    /** For /v1/posture: heartbeat age and each table's freshness; a store error is reported, not thrown. */
    public Map<String, Object> posture() {
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            Policy policy = policies.policy();
            out.put("sidecar_heartbeat", heartbeat(gate.newestHeartbeat(), policy));
            List<Map<String, Object>> tables = new ArrayList<>();
            for (TableRef t : gate.catalog().listTables()) {
                if (!t.database().equals(gate.database())) {
                    continue;
                }
                SnapshotRecoveryGate.TableStatus s = gate.status(t, policy);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("table", s.table());
                m.put("age_seconds", s.ageSeconds());
                m.put("fresh", s.fresh());
                m.put("quarantined", s.quarantined());
                tables.add(m);
            }
            out.put("snapshots", tables);
            out.put("snapshot_store_error", null);
        } catch (RuntimeException e) {
            out.put("sidecar_heartbeat", null);
            out.put("snapshots", List.of());
            out.put("snapshot_store_error", SecretScrubber.scrub(e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        return out;
    }

    private Map<String, Object> heartbeat(Optional<Heartbeat> hb, Policy policy) {
        if (hb.isEmpty()) {
            return null;
        }
        Heartbeat h = hb.get();
        long age = Duration.between(h.writtenAt(), clock.instant()).toSeconds();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sidecar_id", h.sidecarId());
        m.put("written_at", h.writtenAt().toString());
        m.put("age_seconds", age);
        m.put("durable_lsn", h.durableLsn() == null ? null : h.durableLsn().toString());
        m.put("current", age <= policy.maxSidecarHeartbeatSeconds());
        return m;
    }

    private static Map<String, Object> status(SnapshotRecoveryGate.TableStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("table", s.table());
        m.put("recovery_point_id", s.recoveryPointId());
        m.put("manifest_key", s.manifestKey());
        m.put("covered_lsn", s.coveredLsn());
        m.put("created_at", s.createdAt());
        m.put("age_seconds", s.ageSeconds());
        m.put("fresh", s.fresh());
        m.put("quarantined", s.quarantined());
        m.put("problem", s.problem());
        return m;
    }

    private static GatewayException unavailable(ObjectStoreException e) {
        return new GatewayException(ErrorCode.SNAPSHOT_STORE_UNAVAILABLE, "the snapshot store cannot be read: "
                + SecretScrubber.scrub(String.valueOf(e.getMessage())));
    }
}
