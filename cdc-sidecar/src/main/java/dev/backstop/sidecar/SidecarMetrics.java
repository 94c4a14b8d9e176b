package dev.backstop.sidecar;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The sidecar's Prometheus metrics (design.md "Metrics"). */
public final class SidecarMetrics {
    public final PrometheusRegistry registry = new PrometheusRegistry();
    public final Counter events = Counter.builder().name("backstop_sidecar_events_written_total")
            .help("Change events buffered for delta files").register(registry);
    public final Counter s3Errors = Counter.builder().name("backstop_sidecar_s3_errors_total")
            .help("Failed S3 flushes or heartbeat publications").register(registry);
    public final Gauge durableLsn = Gauge.builder().name("backstop_sidecar_durable_lsn")
            .help("Highest commit LSN durable in S3").register(registry);
    public final Gauge heartbeatWrittenAt = Gauge.builder().name("backstop_sidecar_heartbeat_written_seconds")
            .help("Epoch seconds when the last published heartbeat was written through PostgreSQL").register(registry);
    public final Gauge lagBytes = Gauge.builder().name("backstop_cdc_lag_bytes")
            .help("WAL bytes between the current WAL position and what is durable in S3").register(registry);
    public final Gauge heartbeatAge = Gauge.builder().name("backstop_sidecar_heartbeat_age_seconds")
            .help("Age of the last published heartbeat").register(registry);
    public final Gauge slotLost = Gauge.builder().name("backstop_sidecar_slot_lost")
            .help("1 when the replication slot vanished and a new base had to be taken").register(registry);
}
