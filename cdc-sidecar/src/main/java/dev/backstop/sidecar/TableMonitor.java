package dev.backstop.sidecar;

import dev.backstop.sidecar.cdc.Durability;
import dev.backstop.sidecar.cdc.RecoveryPoints;
import dev.backstop.sidecar.pg.HeartbeatWriter;
import dev.backstop.sidecar.pg.PgCatalog;
import dev.backstop.sidecar.pg.ReplicationSetup;
import dev.backstop.sidecar.pg.TableSchema;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Periodic work outside the CDC thread: the heartbeat row, the freshness and lag metrics, noticing tracked
 * tables that disappeared (alerted once every change before the disappearance is durable, naming the last recovery
 * point, which stays restorable), and tables that match {@code sidecar.tables} but are not tracked because they
 * were created (or renamed into a match) after start-up: the CDC engine is restarted to take them on (publication,
 * base); one that cannot be taken on is alerted once rather than left for the gate to discover.
 */
final class TableMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(TableMonitor.class);

    private final HeartbeatWriter heartbeat;
    private final HeartbeatWriter.ConnectionFactory connections;
    private final RecoveryPoints points;
    private final Durability durability;
    private final SidecarMetrics metrics;
    private final AlertSink alerts;
    private final Clock clock;
    private final Map<TableRef, Lsn> goneAt = new LinkedHashMap<>();
    private final Map<TableRef, Boolean> alerted = new LinkedHashMap<>();
    private final Matching matching;
    private final TakeOn takeOn;
    private final Set<TableRef> untrackedAlerted = new HashSet<>();

    /** Taking on tables that appeared after start-up. */
    interface TakeOn {
        /** Restarts the CDC engine, which takes on every untracked matching table first (ignored while one runs). */
        void restart();

        /** True if taking the table on failed recently (it is tried again after a while). */
        boolean failed(TableRef t);
    }

    /** The tables that match {@code sidecar.tables} now. */
    @FunctionalInterface
    interface Matching {
        List<TableRef> tables(Connection c) throws SQLException;
    }

    TableMonitor(HeartbeatWriter heartbeat, HeartbeatWriter.ConnectionFactory connections, RecoveryPoints points,
                 Durability durability, SidecarMetrics metrics, AlertSink alerts, Clock clock, Matching matching,
                 TakeOn takeOn) {
        this.matching = matching;
        this.takeOn = takeOn;
        this.heartbeat = heartbeat;
        this.connections = connections;
        this.points = points;
        this.durability = durability;
        this.metrics = metrics;
        this.alerts = alerts;
        this.clock = clock;
    }

    /** One round; never throws (a failing round is logged and the next one tries again). */
    void tick() {
        try {
            heartbeat.write();
        } catch (SQLException e) {
            LOG.warn("heartbeat row could not be written: {}", e.getMessage());
        }
        updateFreshness();
        try (Connection c = connections.connect()) {
            long current = ReplicationSetup.currentWalLsn(c);
            metrics.lagBytes.set(Math.max(0, current - durability.durableLsn().value()));
            checkTablesExist(c, current);
            checkUntracked(c);
        } catch (SQLException | RuntimeException e) {
            // Never thrown on: an exception would cancel the periodic task (and with it the heartbeat).
            LOG.warn("table check failed: {}", e.toString());
        }
        alertDurablyGone();
    }

    void updateFreshness() {
        Instant now = clock.instant();
        Instant hb = durability.heartbeatWrittenAt();
        if (hb != null) {
            metrics.heartbeatAge.set(Duration.between(hb, now).toMillis() / 1000.0);
        }
        for (TableRef t : points.trackedTables()) {
            Optional<VerifiedManifest> vm = points.latest(t);
            if (vm.isPresent() && vm.get().manifest().createdAt() != null) {
                metrics.snapshotAge.labelValues(t.qualifiedName())
                        .set(Duration.between(vm.get().manifest().createdAt(), now).toMillis() / 1000.0);
            }
        }
    }

    private void checkTablesExist(Connection c, long currentLsn) throws SQLException {
        for (TableRef t : points.trackedTables()) {
            if (goneAt.containsKey(t)) {
                if (points.isGone(t) || !alerted.containsKey(t)) {
                    continue;
                }
                goneAt.remove(t); // taken on again: a new table under this name, followed from now on
                alerted.remove(t);
                metrics.tablesGone.set(goneAt.size());
            }
            Optional<TableSchema> now = PgCatalog.describe(c, t);
            Optional<Long> oid = PgCatalog.oidOf(c, t);
            if (now.isPresent() && oid.isPresent() && points.oidOf(t) != 0 && oid.get() != points.oidOf(t)) {
                // Dropped and created again under the same name: the publication no longer carries it, so its
                // recovery points would silently go stale. Treated as gone (alerted); a restart takes a new base.
                now = Optional.empty();
            }
            if (now.isPresent() && (!now.get().columns().equals(points.schemaOf(t).columns())
                    || !now.get().primaryKey().equals(points.schemaOf(t).primaryKey()))) {
                points.requestRebase(t);
            }
            if (now.isEmpty()) {
                // Changes committed before now may still be in flight: alert once they are durable.
                goneAt.put(t, Lsn.of(currentLsn));
                points.markGone(t);
                metrics.tablesGone.set(goneAt.size());
                LOG.warn("{} no longer exists (dropped, renamed or replaced); waiting for its last changes to be durable",
                        t.qualifiedName());
            }
        }
    }

    private void checkUntracked(Connection c) throws SQLException {
        List<TableRef> untracked = points.toTakeOn(matching.tables(c));
        metrics.untrackedTables.set(untracked.size());
        boolean takeOnSome = false;
        for (TableRef t : untracked) {
            if (!takeOn.failed(t)) {
                takeOnSome = true;
            } else if (untrackedAlerted.add(t)) {
                alerts.alert("snapshot_failure", "warning", t.qualifiedName(), "table " + t.qualifiedName()
                        + " matches sidecar.tables and appeared after the sidecar started, but could not be taken on"
                        + " (see the sidecar log): it has no recovery points, so the recovery gate blocks CRITICAL"
                        + " operations on it, until the cause is fixed (tried again every 10 minutes)");
            }
        }
        if (takeOnSome) {
            LOG.info("{} table(s) match sidecar.tables but are not tracked yet: restarting CDC to take them on",
                    untracked.size());
            takeOn.restart();
        }
    }

    private void alertDurablyGone() {
        for (Map.Entry<TableRef, Lsn> e : goneAt.entrySet()) {
            TableRef t = e.getKey();
            if (alerted.containsKey(t) || durability.durableLsn().compareTo(e.getValue()) < 0) {
                continue;
            }
            alerted.put(t, true);
            String rp = points.latest(t).map(VerifiedManifest::key).orElse("(none)");
            points.markGoneAlerted(t);
            alerts.alert("table_dropped", "critical", t.qualifiedName(), "table " + t.qualifiedName()
                    + " was dropped, renamed or replaced; its latest recovery point is " + rp
                    + " (kept and restorable: backstop restore " + t.qualifiedName() + ")");
        }
    }
}
