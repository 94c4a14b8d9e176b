package dev.backstop.restore;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.RecoveryPointRef;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the recovery point (manifest) that can rebuild a table at an LSN. A manifest serves LSN L when its base is
 * at or before L and it covers L ({@code base_lsn <= L <= covered_lsn}). When no manifest covers L yet, the caller
 * can ask the sidecar to flush ({@link #notCapturedYet()}): the next recovery point then covers it. Between two chains
 * (a new base after a column change, say) nothing is guessed. Quarantined recovery points (and points using their
 * files) are never chosen. Anything else fails with a reason.
 */
final class PointSelector {
    private final RecoveryPointCatalog catalog;
    private boolean notCapturedYet;

    PointSelector(RecoveryPointCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * Whether the last {@link #select} failed only because the target is not captured yet (no recovery point covers
     * it and no heartbeat proves it durable): a flush of the sidecar can fix that one.
     */
    boolean notCapturedYet() {
        return notCapturedYet;
    }

    /** The recovery point this table is rebuilt from at {@code target}. */
    Result<VerifiedManifest> select(TableRef table, Lsn target) {
        notCapturedYet = false;
        List<RecoveryPointRef> points = catalog.listRecoveryPoints(table);
        if (points.isEmpty()) {
            return Result.failed("no recovery point for " + table);
        }
        // Lowest covered LSN >= target first (fewest deltas); bases only move forward.
        VerifiedManifest after = null;
        for (RecoveryPointRef p : points) {
            if (p.coveredLsn().compareTo(target) < 0) {
                continue;
            }
            Result<VerifiedManifest> r = usable(table, p);
            if (!r.ok()) {
                continue; // a damaged or quarantined point: an equivalent later one may serve
            }
            Manifest m = r.value().manifest();
            if (m.baseLsn().compareTo(target) <= 0) {
                return r;
            }
            after = r.value();
            break;
        }
        // Newest point before the target.
        for (int i = points.size() - 1; i >= 0; i--) {
            RecoveryPointRef p = points.get(i);
            if (p.coveredLsn().compareTo(target) >= 0) {
                continue;
            }
            Result<VerifiedManifest> r = usable(table, p);
            if (!r.ok()) {
                return Result.failed("the newest recovery point before " + target + " (" + p.recoveryPointId()
                        + ") cannot be used: " + String.join("; ", r.problems()));
            }
            Manifest m = r.value().manifest();
            if (after != null) {
                // Between two chains (e.g. a column change): the change that ended the older one may be at or
                // before the target, and is in neither. Not guessed.
                return Result.failed("no recovery point of " + table + " covers " + target + ": "
                        + m.recoveryPointId() + " ends at " + m.coveredLsn() + " and the next, "
                        + after.manifest().recoveryPointId() + ", starts from a new base at "
                        + after.manifest().baseLsn() + "; restore with --lsn " + m.coveredLsn() + " or later than "
                        + after.manifest().baseLsn());
            }
            // Even when a heartbeat proves the table unchanged up to the target, the point itself ends before it (a
            // replay cannot go past its covered LSN): a flush publishes one that covers the target.
            notCapturedYet = true;
            return Result.failed("no recovery point of " + table + " covers " + target + " yet: the newest, "
                    + m.recoveryPointId() + ", covers up to " + m.coveredLsn()
                    + " and no current heartbeat proves later changes durable; flush the sidecar and retry");
        }
        return Result.failed("every recovery point of " + table + " starts after " + target
                + " (oldest base at " + (after == null ? "?" : after.manifest().baseLsn()) + ")");
    }

    /** A recovery point by id (for {@code --recovery-point}); it must serve the target. */
    Result<VerifiedManifest> byId(TableRef table, String recoveryPointId, Lsn target) {
        Result<VerifiedManifest> r = catalog.readManifest(catalog.keys().manifest(table, recoveryPointId));
        if (!r.ok()) {
            return r;
        }
        Optional<String> tainted = catalog.quarantinedData(table, r.value().manifest());
        if (tainted.isPresent()) {
            return Result.failed(tainted.get());
        }
        Manifest m = r.value().manifest();
        if (target != null && (target.compareTo(m.baseLsn()) < 0 || target.compareTo(m.coveredLsn()) > 0)) {
            return Result.failed("recovery point " + recoveryPointId + " covers " + m.baseLsn() + ".."
                    + m.coveredLsn() + ", not " + target);
        }
        return r;
    }

    private Result<VerifiedManifest> usable(TableRef table, RecoveryPointRef p) {
        Result<VerifiedManifest> r = catalog.readManifest(p.manifestKey());
        if (r.ok()) {
            Optional<String> tainted = catalog.quarantinedData(table, r.value().manifest());
            if (tainted.isPresent()) {
                return Result.failed(tainted.get());
            }
        }
        return r;
    }
}
