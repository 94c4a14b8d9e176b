package dev.backstop.restore;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.RecoveryPointRef;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.store.ObjectMeta;
import dev.backstop.snapshot.store.ObjectStore;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Finds the keep-alive recovery points of a table: the sidecar publishes one every flush interval while the table does
 * not change, so the gate sees a fresh point; it lists the same files as the point before it, only its covered LSN
 * (and time) moved. With a week of retention that is tens of thousands of points, so {@code show} prints each run of
 * them as one line.
 *
 * <p>Cheap and exact: a point brings new files only with a delta file ending at its covered LSN
 * ({@code delta/{from}-{to}/}) or a base snapshot at its LSN ({@code base/{lsn}-{millis}/}); two listings of the table's
 * data files find those without reading any manifest. Every other point after a point with a lower LSN is a candidate.
 * A run of candidates is collapsed only after the manifests at both of its ends are read and list the same files (a
 * base chain's file list only grows, and a new base never comes back, so equal ends mean every point in between is
 * equal too). Points in {@code shown} (the latest, quarantined ones) are never collapsed, nor a run of one.
 */
final class KeepAlivePoints {
    private KeepAlivePoints() {
    }

    /** {@code result[i]}: points.get(i) is part of a run of at least two keep-alive points. */
    static boolean[] find(ObjectStore store, RecoveryPointCatalog catalog, TableRef table,
                          List<RecoveryPointRef> points, Predicate<String> shown) {
        boolean[] out = new boolean[points.size()];
        if (points.size() < 3) {
            return out;
        }
        String root = catalog.keys().tableRoot(table);
        Set<Lsn> newFiles = new HashSet<>();
        for (ObjectMeta o : store.list(root + "delta/")) {
            directory(o.key(), root + "delta/").ifPresent(range -> {
                int dash = range.indexOf('-');
                if (dash > 0) {
                    try {
                        newFiles.add(Lsn.parseKeyForm(range.substring(dash + 1)));
                    } catch (IllegalArgumentException e) {
                        // not a delta directory of this format: it cannot make a point look like a keep-alive
                    }
                }
            });
        }
        for (ObjectMeta o : store.list(root + "base/")) {
            directory(o.key(), root + "base/").flatMap(SnapshotKeys::lsnOfId).ifPresent(newFiles::add);
        }
        boolean[] candidate = new boolean[points.size()];
        for (int i = 1; i < points.size(); i++) {
            RecoveryPointRef p = points.get(i);
            candidate[i] = !shown.test(p.recoveryPointId())
                    && p.coveredLsn().compareTo(points.get(i - 1).coveredLsn()) > 0
                    && !newFiles.contains(p.coveredLsn());
        }
        for (int a = 1; a < points.size(); a++) {
            if (!candidate[a] || candidate[a - 1]) {
                continue;
            }
            int b = a;
            while (b + 1 < points.size() && candidate[b + 1]) {
                b++;
            }
            if (b > a && sameFiles(catalog, points.get(a - 1), points.get(b))) {
                for (int i = a; i <= b; i++) {
                    out[i] = true;
                }
            }
            a = b;
        }
        return out;
    }

    private static boolean sameFiles(RecoveryPointCatalog catalog, RecoveryPointRef first, RecoveryPointRef last) {
        Result<VerifiedManifest> x = catalog.readManifest(first.manifestKey());
        Result<VerifiedManifest> y = catalog.readManifest(last.manifestKey());
        return x.ok() && y.ok() && fileIds(x.value().manifest().files()).equals(fileIds(y.value().manifest().files()));
    }

    private static List<String> fileIds(List<ManifestFile> files) {
        return files.stream().map(f -> f.key() + " " + f.sha256()).toList();
    }

    /** The first path segment after {@code prefix}, if the key has one. */
    private static Optional<String> directory(String key, String prefix) {
        if (!key.startsWith(prefix)) {
            return Optional.empty();
        }
        int slash = key.indexOf('/', prefix.length());
        return slash > prefix.length() ? Optional.of(key.substring(prefix.length(), slash)) : Optional.empty();
    }
}
