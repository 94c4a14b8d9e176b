package dev.backstop.sidecar;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The sidecar's Prometheus metrics (design.md "Metrics"; docs/configuration.md lists them with units). */
public final class SidecarMetrics {
    public final PrometheusRegistry registry = new PrometheusRegistry();
    public final Counter events = Counter.builder().name("backstop_sidecar_events_written_total")
            .help("Change events recorded for delta files").register(registry);
    public final Counter bytesWritten = Counter.builder().name("backstop_sidecar_bytes_written_total")
            .help("Bytes of Parquet data files uploaded and verified (base and delta)").register(registry);
    public final Counter s3Errors = Counter.builder().name("backstop_sidecar_s3_errors_total")
            .help("Failed S3 flushes or heartbeat publications").register(registry);
    public final Gauge durableLsn = Gauge.builder().name("backstop_sidecar_durable_lsn")
            .help("Highest commit LSN durable in S3").register(registry);
    public final Gauge lagBytes = Gauge.builder().name("backstop_cdc_lag_bytes")
            .help("WAL bytes between the server's current WAL position and what is durable in S3").register(registry);
    public final Gauge heartbeatAge = Gauge.builder().name("backstop_sidecar_heartbeat_age_seconds")
            .help("Seconds since the last published heartbeat was written through PostgreSQL").register(registry);
    public final Gauge snapshotAge = Gauge.builder().name("backstop_snapshot_age_seconds")
            .help("Seconds since the table's latest recovery point was published").labelNames("table")
            .register(registry);
    public final Counter compactions = Counter.builder().name("backstop_sidecar_compactions_total")
            .help("New bases made by compaction").register(registry);
    public final Counter retentionSweeps = Counter.builder().name("backstop_sidecar_retention_sweeps_total")
            .help("Completed retention sweeps").register(registry);
    public final Counter retentionDeleted = Counter.builder().name("backstop_sidecar_retention_deleted_objects_total")
            .help("Manifests, group recovery points and data files deleted by retention").register(registry);
    public final Gauge slotLost = Gauge.builder().name("backstop_sidecar_slot_lost")
            .help("1 when the replication slot vanished and new bases had to be taken").register(registry);
    public final Gauge engineRunning = Gauge.builder().name("backstop_sidecar_cdc_running")
            .help("1 while the CDC engine runs, 0 after it stopped on an error").register(registry);
    public final Counter oversizedTransactions = Counter.builder()
            .name("backstop_sidecar_oversized_transactions_total")
            .help("Transactions too large to hold in memory (sidecar.maxBufferedBytes): their tables took a new base")
            .register(registry);
    public final Gauge bufferedBytes = Gauge.builder().name("backstop_sidecar_buffered_bytes")
            .help("Approximate bytes of changes held in memory, waiting for their transaction's end or a flush")
            .register(registry);
    public final Gauge untrackedTables = Gauge.builder().name("backstop_sidecar_untracked_tables")
            .help("Tables matching sidecar.tables that appeared after start-up: no recovery points until a restart")
            .register(registry);
    public final Gauge tablesGone = Gauge.builder().name("backstop_sidecar_tables_gone")
            .help("Tracked tables that no longer exist under their name").register(registry);
}
