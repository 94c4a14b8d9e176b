package dev.backstop.restore;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.RecoveryPointRef;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.parquet.ChangeRecord;
import dev.backstop.snapshot.parquet.RowFileReader;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * {@code --at TIME}: the table as of the last transaction that touched it with commit time <= TIME. The commit
 * times are in the delta files, so the newest recovery point whose base was taken at or before TIME is read (files
 * verified first) to find that transaction's commit LSN; without one, the base itself.
 *
 * <p>Whether the newest recovery point has every change up to TIME: a recovery point covers the stream up to its
 * LSN, which runs behind the time the point was written (the stream's lag, the flush itself), so its writing time
 * proves nothing. Proven covered are the commits up to the table's own last recorded change, and those committed
 * more than {@link #HEARTBEAT_MARGIN} before the sidecar's latest heartbeat row was written, when the point covers
 * that row's commit (the row's {@code written_at} is the server's clock, its commit LSN is in the heartbeat object).
 * A later TIME makes the sidecar flush up to now first (then everything committed before the request is covered);
 * if that cannot be done, it is refused.
 */
final class AtTime {
    /**
     * A transaction takes its commit time just before writing its commit record: one that committed this long before
     * the heartbeat row's {@code written_at} has its commit record before the heartbeat's.
     */
    static final java.time.Duration HEARTBEAT_MARGIN = java.time.Duration.ofSeconds(1);

    /** The latest time up to which every commit is proven to be in {@code m} (null: none), given the heartbeat. */
    static Instant provenUpTo(Manifest m, java.util.Optional<dev.backstop.snapshot.Heartbeat> heartbeat) {
        Instant byChange = m.coveredCommitTime();
        Instant byHeartbeat = heartbeat.filter(h -> h.lsn() != null && h.writtenAt() != null
                        && h.lsn().compareTo(m.coveredLsn()) <= 0
                        && java.util.Objects.equals(h.systemIdentifier(), m.source().systemIdentifier())
                        && java.util.Objects.equals(h.database(), m.source().database()))
                .map(h -> h.writtenAt().minus(HEARTBEAT_MARGIN)).orElse(null);
        if (byHeartbeat == null) {
            return byChange;
        }
        return byChange == null || byChange.isBefore(byHeartbeat) ? byHeartbeat : byChange;
    }

    private static Instant provenUpTo(RecoveryPointCatalog catalog, Manifest m) {
        java.util.Optional<dev.backstop.snapshot.Heartbeat> h = m.source() == null || m.source().sidecarId() == null
                ? java.util.Optional.empty() : catalog.readHeartbeat(m.source().sidecarId());
        return provenUpTo(m, h);
    }

    private static boolean notProven(Instant at, Instant proven) {
        return proven == null || at.isAfter(proven);
    }

    static RestoreTarget resolve(RecoveryPointCatalog catalog, VerifiedFiles files, TableRef table, Instant at)
            throws IOException {
        return resolve(catalog, files, table, at, null, null);
    }

    /**
     * As above; when TIME is later than the newest recovery point but not in the future ({@code now}), {@code flusher}
     * (null: none) is asked to flush once first, so changes up to now are captured.
     */
    static RestoreTarget resolve(RecoveryPointCatalog catalog, VerifiedFiles files, TableRef table, Instant at,
                                 Restorer.Flusher flusher, Instant now) throws IOException {
        Instant flushedAsOf = null;
        if (flusher != null && (now == null || !at.isAfter(now))) {
            List<RecoveryPointRef> points = catalog.listRecoveryPoints(table);
            for (int i = points.size() - 1; i >= 0; i--) {
                Result<VerifiedManifest> r = catalog.readManifest(points.get(i).manifestKey());
                if (r.ok()) {
                    Manifest m = r.value().manifest();
                    Instant proven = provenUpTo(catalog, m);
                    if (notProven(at, proven)) {
                        flusher.flush(table, m.coveredLsn(), "recovery points of " + table + " were last written at "
                                + m.createdAt() + " and prove every change only up to " + proven + "; " + at
                                + " is later, and changes before it may not be captured yet");
                        flushedAsOf = now; // the flush covers every change committed before it was asked for
                    }
                    break;
                }
            }
        }
        List<RecoveryPointRef> points = catalog.listRecoveryPoints(table);
        if (points.isEmpty()) {
            throw new CheckFailedException("no recovery point for " + table);
        }
        VerifiedManifest newest = null;
        Instant laterBase = null;
        Lsn laterBaseLsn = null;
        for (int i = points.size() - 1; i >= 0; i--) {
            Result<VerifiedManifest> r = catalog.readManifest(points.get(i).manifestKey());
            if (!r.ok()) {
                continue;
            }
            Manifest m = r.value().manifest();
            if (newest == null) {
                newest = r.value();
                Instant proven = provenUpTo(catalog, m);
                if (flushedAsOf != null && m.createdAt() != null && !m.createdAt().isBefore(flushedAsOf)
                        && notProven(flushedAsOf, proven)) {
                    proven = flushedAsOf; // written by the flush just asked for
                }
                if (notProven(at, proven)) {
                    throw new CheckFailedException("recovery points of " + table + " were last written at "
                            + m.createdAt() + " (covering " + m.coveredLsn() + ") and prove every change only up to "
                            + proven + "; changes committed between then and " + at + " may not be captured yet"
                            + " (the stream runs behind the writing of a recovery point): flush the sidecar and wait"
                            + " for its next heartbeat, or use --lsn");
                }
            }
            Instant baseTime = SnapshotIds.createdAt(m.baseSnapshotId());
            if (baseTime == null || baseTime.isAfter(at)) {
                if (baseTime != null && (laterBase == null || baseTime.isBefore(laterBase))) {
                    laterBase = baseTime;
                    laterBaseLsn = m.baseLsn();
                }
                continue; // this chain starts after TIME: an older base is needed
            }
            if (laterBase != null && m.coveredLsn().compareTo(laterBaseLsn) < 0
                    && (m.coveredCommitTime() == null || m.coveredCommitTime().isBefore(at))) {
                // An older chain that ends before the next one starts (a column change, a transaction too large to
                // hold, a lost slot; a compaction starts exactly where its chain ends): nothing proves the older
                // one saw every change up to TIME.
                throw new CheckFailedException(at + " falls between two chains of recovery points of " + table
                        + ": the older one's last recorded change committed at " + m.coveredCommitTime() + " (LSN "
                        + m.coveredLsn() + "), the newer one starts with a base taken at " + laterBase + "; changes in"
                        + " between may not be recorded. Restore --at a time up to " + m.coveredCommitTime()
                        + " or from " + laterBase + ", or --lsn");
            }
            List<String> problems = files.downloadAll(m);
            if (!problems.isEmpty()) {
                throw new CheckFailedException("recovery point " + m.recoveryPointId() + " failed verification: "
                        + String.join("; ", problems));
            }
            Lsn last = m.baseLsn();
            Instant lastTime = null;
            for (ManifestFile f : m.deltaFiles()) {
                try (RowFileReader rd = RowFileReader.open(files.localFile(f), m.columns())) {
                    for (ChangeRecord c = rd.nextChange(); c != null; c = rd.nextChange()) {
                        if (c.commitTime() != null && !c.commitTime().isAfter(at) && c.lsn().compareTo(last) >= 0) {
                            last = c.lsn();
                            lastTime = c.commitTime();
                        }
                    }
                }
            }
            return new RestoreTarget(last, describe(at, last, lastTime, baseTime), r.value().key());
        }
        throw new CheckFailedException("no recovery point of " + table + " reaches back to " + at);
    }

    /**
     * The target in words. With a change found: the table right after the last transaction that touched it and
     * committed at or before TIME. Without one: no transaction touched it after its base snapshot (LSN {@code last},
     * taken at {@code baseTime}) and at or before TIME, so the table is exactly the base snapshot's; when its last
     * change before the base committed is not recorded.
     */
    static String describe(Instant at, Lsn last, Instant lastTime, Instant baseTime) {
        if (lastTime != null) {
            return "as of " + at + ": the table right after its last change committed at or before then (committed at "
                    + lastTime + ", commit LSN " + last + ")";
        }
        return "as of " + at + ": the table as in its base snapshot (LSN " + last + ", taken at " + baseTime
                + "): no change to it committed after that and at or before " + at;
    }
}
