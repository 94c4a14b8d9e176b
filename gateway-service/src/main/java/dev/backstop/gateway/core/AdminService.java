package dev.backstop.gateway.core;

import dev.backstop.alerts.Alert;
import dev.backstop.alerts.AlertEvent;
import dev.backstop.alerts.AlertSink;

import dev.backstop.gateway.db.PostureStore;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Emergency pause/resume and the prevention posture. Every change is audited before it is made. */
public final class AdminService {
    /** A bypass connection seen this recently is considered still live. */
    static final long LIVE_SECONDS = 60;

    private final SafetyState safety;
    private final PostureStore posture;
    private final Auditor auditor;
    private final AlertSink alerts;
    private final Clock clock;

    private final dev.backstop.gateway.gate.SnapshotView snapshots;

    /** @param snapshots null when the gateway has no snapshot store */
    private final java.time.Duration quietPeriod;
    private final PolicyHolder policies;
    private final AuditHealth auditHealth;

    public AdminService(SafetyState safety, PostureStore posture, Auditor auditor, AlertSink alerts, Clock clock,
                        dev.backstop.gateway.gate.SnapshotView snapshots, java.time.Duration quietPeriod,
                        PolicyHolder policies, AuditHealth auditHealth) {
        this.policies = policies;
        this.auditHealth = auditHealth;
        this.snapshots = snapshots;
        this.quietPeriod = quietPeriod;
        this.safety = safety;
        this.posture = posture;
        this.auditor = auditor;
        this.alerts = alerts;
        this.clock = clock;
    }

    public PauseStatus setPause(RequestContext ctx, boolean paused, boolean blockAll, String reason) {
        AuditEntry.Builder entry = auditor.entry(ctx).decision(paused ? "pause" : "resume")
                .reasons(reason == null ? List.of() : List.of(SecretScrubber.scrub(reason)));
        auditor.begin(ctx, entry.build());
        try {
            PauseStatus s = safety.setPause(paused, blockAll, reason, ctx.principal().name());
            auditor.complete(entry.id(), AuditCompletion.builder(auditor.now(), paused ? "paused" : "resumed", 200,
                    ctx.elapsedMillis()).build());
            alerts.send(Alert.builder(paused ? AlertEvent.PAUSED : AlertEvent.RESUMED, clock.instant())
                    .source(Alerts.SOURCE).principal(ctx.principal().name())
                    .summary((paused ? "emergency pause" + (blockAll ? " (all queries)" : "") : "resumed")
                            + (reason == null ? "" : ": " + SecretScrubber.scrub(reason)))
                    .build());
            return s;
        } catch (SQLException e) {
            auditor.complete(entry.id(), AuditCompletion.builder(auditor.now(), "error", 500, ctx.elapsedMillis())
                    .error(ErrorCode.INTERNAL_ERROR, "pause state not saved").build());
            throw new GatewayException(ErrorCode.INTERNAL_ERROR, "the pause state could not be saved; it is unchanged");
        }
    }

    public Map<String, Object> posture() {
        List<Map<String, Object>> bypass;
        List<dev.backstop.bypass.BypassEventStore.RecentBypass> recent;
        Instant now = clock.instant();
        try {
            bypass = posture.openBypassEvents(now.minus(quietPeriod));
            recent = posture.recentBypass(now.minus(quietPeriod));
        } catch (SQLException e) {
            throw new GatewayException(ErrorCode.INTERNAL_ERROR, "posture cannot be read");
        }
        List<String> reasons = new ArrayList<>();
        if (!recent.isEmpty()) {
            reasons.add("bypass_detected");
        }
        if (!auditHealth.healthy()) {
            reasons.add("audit_failing");
        }
        List<Map<String, Object>> byRole = new ArrayList<>();
        for (var r : recent) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("agent_role", r.agentRole());
            m.put("events", r.events());
            m.put("first_detected_at", r.firstDetectedAt() == null ? null : r.firstDetectedAt().toString());
            m.put("last_seen_at", r.lastSeenAt() == null ? null : r.lastSeenAt().toString());
            byRole.add(m);
        }
        PauseStatus p = safety.pause();
        Map<String, Object> pause = new LinkedHashMap<>();
        pause.put("paused", p.paused());
        pause.put("blocks_all", p.blocksAll());
        pause.put("reason", p.reason());
        pause.put("changed_by", p.changedBy());
        pause.put("changed_at", p.changedAt());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", reasons.isEmpty() ? "protected" : "degraded");
        out.put("quiet_period_seconds", quietPeriod.toSeconds());
        out.put("recent_bypass", byRole);
        out.put("reasons", reasons);
        if (snapshots == null) {
            out.put("sidecar_heartbeat", null);
            out.put("snapshots", List.of());
            out.put("snapshot_store_error", "no snapshot store configured (snapshots.bucket)");
        } else {
            out.putAll(snapshots.posture());
        }
        out.put("bypass_connections", bypass);
        out.put("pause", pause);
        out.put("policy", Map.of("loaded", true, "version", policies.policy().version()));
        out.put("audit", auditHealth.view());
        return out;
    }

    public Map<String, Object> clearPosture(RequestContext ctx, String reason) {
        AuditEntry.Builder entry = auditor.entry(ctx).decision("posture_clear")
                .reasons(reason == null ? List.of() : List.of(SecretScrubber.scrub(reason)));
        auditor.begin(ctx, entry.build());
        Instant now = clock.instant();
        try {
            if (!posture.clear(ctx.principal().name(), reason, now, now.minusSeconds(LIVE_SECONDS))) {
                auditor.complete(entry.id(), AuditCompletion.builder(auditor.now(), "error", 409, ctx.elapsedMillis())
                        .error(ErrorCode.BYPASS_STILL_LIVE, null).build());
                throw new GatewayException(ErrorCode.BYPASS_STILL_LIVE);
            }
        } catch (SQLException e) {
            auditor.complete(entry.id(), AuditCompletion.builder(auditor.now(), "error", 500, ctx.elapsedMillis())
                    .error(ErrorCode.INTERNAL_ERROR, null).build());
            throw new GatewayException(ErrorCode.INTERNAL_ERROR, "posture cannot be cleared");
        }
        auditor.complete(entry.id(), AuditCompletion.builder(auditor.now(), "cleared", 200, ctx.elapsedMillis()).build());
        return posture();
    }
}
