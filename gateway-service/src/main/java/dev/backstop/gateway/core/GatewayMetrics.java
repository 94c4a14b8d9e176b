package dev.backstop.gateway.core;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;

/** The gateway's Prometheus metrics (design.md "Metrics"), in a registry of its own. */
public final class GatewayMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter queries;
    private final Histogram queryDuration;
    private final Histogram classifyDuration;
    private final Counter auditFailures;
    private final Counter gateFailures;
    private final Counter errors;

    /**
     * @param pendingApprovals      approvals waiting for an operator (-1 when the state database cannot say)
     * @param approvalsNotRecorded  approvals approved long ago whose outcome was never recorded (-1 likewise)
     */
    public GatewayMetrics(LongSupplier pendingApprovals, LongSupplier approvalsNotRecorded) {
        queries = Counter.builder().name("backstop_queries_total")
                .help("Requests to /v1/query and approval executions by final decision and risk")
                .labelNames("decision", "risk").register(registry);
        queryDuration = Histogram.builder().name("backstop_query_duration_seconds")
                .help("Time to serve POST /v1/query, from receipt to response").register(registry);
        classifyDuration = Histogram.builder().name("backstop_classify_duration_seconds")
                .help("Time to classify a request's SQL text").register(registry);
        auditFailures = Counter.builder().name("backstop_audit_failures_total")
                .help("Audit writes that failed (requests refused with audit_unavailable, or completions lost)")
                .register(registry);
        gateFailures = Counter.builder().name("backstop_recovery_gate_failures_total")
                .help("Failed recovery gate checks by check name").labelNames("check").register(registry);
        // Every check starts at 0, so the series exist (and rate() works) before the first failure.
        for (String check : RecoveryGate.CHECKS) {
            gateFailures.labelValues(check);
        }
        gateFailures.labelValues(RecoveryGate.RECOVERY_POINT_FLUSHED);
        errors = Counter.builder().name("backstop_errors_total")
                .help("Error responses by stable error code").labelNames("code").register(registry);
        GaugeWithCallback.builder().name("backstop_approvals_pending")
                .help("Approvals waiting for an operator")
                .callback(cb -> cb.call(pendingApprovals.getAsLong())).register(registry);
        GaugeWithCallback.builder().name("backstop_approvals_outcome_not_recorded")
                .help("Approvals approved longer ago than every execution bound whose outcome was never recorded")
                .callback(cb -> cb.call(approvalsNotRecorded.getAsLong())).register(registry);
        JvmMetrics.builder().register(registry);
    }

    /** Reads sent in one round trip, and those that fell back to two (docs/architecture.md). */
    public void readRoundTrips(LongSupplier oneTrip, LongSupplier twoTrips) {
        CounterWithCallback.builder().name("backstop_target_reads_total")
                .help("Read-only requests run on the target database, by round trips per request")
                .labelNames("round_trips")
                .callback(cb -> {
                    cb.call(oneTrip.getAsLong(), "1");
                    cb.call(twoTrips.getAsLong(), "2");
                }).register(registry);
    }

    public PrometheusRegistry registry() { return registry; }

    public void query(String decision, String risk) { queries.labelValues(decision, risk).inc(); }

    public void queryDuration(double seconds) { queryDuration.observe(seconds); }

    public void classifyDuration(double seconds) { classifyDuration.observe(seconds); }

    public void auditFailure() { auditFailures.inc(); }

    public void gateFailure(String check) { gateFailures.labelValues(check).inc(); }

    public void error(ErrorCode code) { errors.labelValues(code.code()).inc(); }
}
