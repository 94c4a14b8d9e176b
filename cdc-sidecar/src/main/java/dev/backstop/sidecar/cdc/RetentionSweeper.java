package dev.backstop.sidecar.cdc;

import dev.backstop.snapshot.GroupRecoveryPoint;
import dev.backstop.snapshot.LatestPointer;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.RecoveryPointRef;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.store.ObjectMeta;
import dev.backstop.snapshot.store.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Retention: recovery points (manifests) and group recovery points older than the window are deleted, except each
 * table's latest, any manifest a kept group names and any quarantined one; then data files no kept manifest lists
 * are deleted.
 * Anything that cannot be read makes the sweep stop before deleting (fail closed: keeping too much is harmless).
 * Runs on the CDC thread between flushes, so no upload is in flight.
 */
final class RetentionSweeper {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);

    /** What a sweep deleted. */
    record Swept(int manifests, int groups, int files) {
    }

    private final ObjectStore store;
    private final RecoveryPointCatalog catalog;

    RetentionSweeper(ObjectStore store, RecoveryPointCatalog catalog) {
        this.store = store;
        this.catalog = catalog;
    }

    Swept sweep(Collection<TableRef> tables, Collection<String> groups, Instant keepSince) {
        Set<String> keptManifests = new HashSet<>();
        List<String> deadGroups = new ArrayList<>();
        for (String g : groups) {
            List<String> keys = catalog.listGroupRecoveryPointKeys(g);
            for (int i = 0; i < keys.size(); i++) {
                String key = keys.get(i);
                if (i == keys.size() - 1 || !olderThan(idOf(key), keepSince)) {
                    Result<GroupRecoveryPoint> gr = catalog.readGroup(key);
                    if (!gr.ok()) {
                        return abort("group recovery point " + key + ": " + gr.problems());
                    }
                    gr.value().members().forEach(m -> keptManifests.add(m.manifestKey()));
                } else {
                    deadGroups.add(key);
                }
            }
        }
        for (TableRef t : tables) {
            // A quarantined recovery point is kept for the investigation that quarantined it.
            catalog.listQuarantine(t).forEach(q -> keptManifests.add(catalog.keys().manifest(t, q.recoveryPointId())));
        }
        Map<TableRef, List<String>> deadManifests = new java.util.LinkedHashMap<>();
        Map<TableRef, Set<String>> keptFiles = new java.util.LinkedHashMap<>();
        for (TableRef t : tables) {
            Optional<LatestPointer> latest = catalog.readLatest(t);
            List<String> dead = new ArrayList<>();
            Set<String> files = new HashSet<>();
            for (RecoveryPointRef ref : catalog.listRecoveryPoints(t)) {
                boolean keep = latest.map(p -> p.manifestKey().equals(ref.manifestKey())).orElse(false)
                        || keptManifests.contains(ref.manifestKey()) || !olderThan(ref.recoveryPointId(), keepSince);
                if (!keep) {
                    dead.add(ref.manifestKey());
                    continue;
                }
                Result<VerifiedManifest> vm = catalog.readManifest(ref.manifestKey());
                if (!vm.ok()) {
                    return abort("kept manifest " + ref.manifestKey() + ": " + vm.problems());
                }
                vm.value().manifest().files().stream().map(ManifestFile::key).forEach(files::add);
            }
            if (latest.isEmpty()) {
                dead.clear(); // no pointer: nothing is known to be current, delete nothing
                files = null;
            }
            deadManifests.put(t, dead);
            keptFiles.put(t, files);
        }
        int manifests = 0;
        int deletedFiles = 0;
        for (String key : deadGroups) {
            store.delete(key);
        }
        for (TableRef t : tables) {
            for (String key : deadManifests.get(t)) {
                store.delete(key);
                manifests++;
            }
            Set<String> files = keptFiles.get(t);
            if (files == null) {
                continue;
            }
            String root = catalog.keys().tableRoot(t);
            for (ObjectMeta o : store.list(root)) {
                boolean data = o.key().startsWith(root + "base/") || o.key().startsWith(root + "delta/");
                if (data && !files.contains(o.key())) {
                    store.delete(o.key());
                    deletedFiles++;
                }
            }
        }
        if (manifests + deadGroups.size() + deletedFiles > 0) {
            LOG.info("retention: deleted {} recovery point(s), {} group recovery point(s), {} data file(s)", manifests,
                    deadGroups.size(), deletedFiles);
        }
        return new Swept(manifests, deadGroups.size(), deletedFiles);
    }

    private static String idOf(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    }

    /** Unknown creation time counts as recent (kept). */
    private static boolean olderThan(String id, Instant keepSince) {
        return SnapshotKeys.createdAtOfId(id).map(t -> t.isBefore(keepSince)).orElse(false);
    }

    private static Swept abort(String why) {
        throw new IllegalStateException("retention sweep stopped before deleting anything: " + why);
    }
}
