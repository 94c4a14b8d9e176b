package dev.backstop.gateway.gate;

import dev.backstop.gateway.core.RecoveryGate;
import dev.backstop.gateway.core.SecretScrubber;
import dev.backstop.policy.Policy;
import dev.backstop.policy.TableRef;
import dev.backstop.snapshot.GroupRecoveryPoint;
import dev.backstop.snapshot.Heartbeat;
import dev.backstop.snapshot.LatestPointer;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;

import dev.backstop.snapshot.Verification;
import dev.backstop.snapshot.VerifiedManifest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The recovery gate over the snapshot store (docs/snapshot-format.md), for the tables of one
 * database. Per table: {@code snapshot_exists}, {@code snapshot_fresh}, {@code heartbeat_current},
 * {@code manifest_checksum_valid}, {@code not_quarantined}; per recovery group with a member among
 * the tables, {@code snapshot_exists} of its group recovery point (members at one LSN). Every S3 error,
 * timeout or unreadable document fails the checks it prevents from being evaluated.
 *
 * <p>Freshness: a recovery point is fresh if its manifest was created within
 * {@code max_snapshot_age_seconds}, or if the newest heartbeat was written within that time and its
 * {@code durable_lsn} is at or after the manifest's {@code covered_lsn}: the sidecar publishes a
 * heartbeat only after every earlier change (of every table) is durable and its pointer moved, and
 * the heartbeat is read before the pointer, so an idle table's latest recovery point is then the
 * table as of the heartbeat's {@code written_at}.
 */
public final class SnapshotRecoveryGate implements RecoveryGate {
    private final RecoveryPointCatalog catalog;
    private final String database;
    private final SidecarFlushClient sidecar;
    private final Clock clock;
    private final Duration timeout;
    private final ExecutorService workers;

    /**
     * @param database the target database's name, as the sidecar writes it in keys
     * @param timeout  bound on one {@link #check} (all S3 calls together); the flush has its own
     * @param workers  runs the S3 calls so a hung store cannot hold the request beyond the timeout
     */
    public SnapshotRecoveryGate(RecoveryPointCatalog catalog, String database, SidecarFlushClient sidecar, Clock clock,
                                Duration timeout, ExecutorService workers) {
        this.catalog = catalog;
        this.database = database;
        this.sidecar = sidecar;
        this.clock = clock;
        this.timeout = timeout;
        this.workers = workers;
    }

    public RecoveryPointCatalog catalog() {
        return catalog;
    }

    public String database() {
        return database;
    }

    @Override
    public RecoveryGate.Result check(List<TableRef> tables, Policy policy) {
        if (!policy.requireRecoveryForCritical()) {
            return new RecoveryGate.Result(true, List.of(), List.of());
        }
        List<TableRef> targets = tables.isEmpty() ? List.of(new TableRef("?", "?")) : tables;
        return bounded(() -> RecoveryGate.Result.of(checkNow(targets, policy)), targets, CHECKS, timeout);
    }

    @Override
    public RecoveryGate.Result flush(List<TableRef> tables, Policy policy) {
        if (!policy.requireRecoveryForCritical()) {
            return new RecoveryGate.Result(true, List.of(), List.of());
        }
        List<TableRef> targets = tables.isEmpty() ? List.of(new TableRef("?", "?")) : tables;
        // The sidecar bounds its own flush (30 s); the HTTP client's timeout covers it; verification follows.
        return bounded(() -> flushNow(targets, policy), targets, List.of(RECOVERY_POINT_FLUSHED),
                timeout.plus(Duration.ofSeconds(60)));
    }

    /** Status of one table for /v1/snapshots and /v1/posture (no policy decision). */
    public TableStatus status(dev.backstop.snapshot.TableRef table, Policy policy) {
        Instant now = clock.instant();
        Optional<Heartbeat> hb = newestHeartbeat();
        dev.backstop.snapshot.Result<VerifiedManifest> latest = catalog.latestManifest(table);
        if (!latest.ok()) {
            return new TableStatus(table.qualifiedName(), null, null, null, null, null, false, false,
                    String.join("; ", latest.problems()));
        }
        Manifest m = latest.value().manifest();
        Long age = m.createdAt() == null ? null : Duration.between(m.createdAt(), now).toSeconds();
        boolean fresh = fresh(m, hb, now, policy.maxSnapshotAgeSeconds());
        boolean quarantined = catalog.quarantinedData(table, m).isPresent();
        return new TableStatus(table.qualifiedName(), m.recoveryPointId(), latest.value().key(),
                m.coveredLsn().toString(), m.createdAt() == null ? null : m.createdAt().toString(), age, fresh,
                quarantined, null);
    }

    /** What /v1/snapshots shows of one table's latest recovery point. */
    public record TableStatus(String table, String recoveryPointId, String manifestKey, String coveredLsn,
                              String createdAt, Long ageSeconds, boolean fresh, boolean quarantined, String problem) {
    }

    /** The newest heartbeat of this database's sidecar(s), if any. */
    public Optional<Heartbeat> newestHeartbeat() {
        return catalog.listHeartbeats().stream().filter(h -> database.equals(h.database()))
                .filter(h -> h.writtenAt() != null)
                .max(Comparator.comparing(Heartbeat::writtenAt));
    }

    private List<Check> checkNow(List<TableRef> tables, Policy policy) {
        Instant now = clock.instant();
        List<Check> out = new ArrayList<>();
        // Heartbeat first, pointers after: see the class comment on freshness.
        Optional<Heartbeat> hb = newestHeartbeat();
        Check heartbeat = heartbeatCheck(hb, now, policy);
        for (TableRef t : tables) {
            out.addAll(tableChecks(t, hb, heartbeat, now, policy));
        }
        out.addAll(groupChecks(tables, policy));
        return out;
    }

    private Check heartbeatCheck(Optional<Heartbeat> hb, Instant now, Policy policy) {
        if (!policy.requireSidecarHeartbeat()) {
            return new Check(HEARTBEAT_CURRENT, null, true, "not required by the policy (require_sidecar_heartbeat)");
        }
        if (hb.isEmpty()) {
            return new Check(HEARTBEAT_CURRENT, null, false, "no sidecar heartbeat for database " + database);
        }
        long age = Duration.between(hb.get().writtenAt(), now).toSeconds();
        boolean ok = age <= policy.maxSidecarHeartbeatSeconds();
        return new Check(HEARTBEAT_CURRENT, null, ok, "heartbeat of sidecar " + hb.get().sidecarId() + " written "
                + age + " s ago (limit " + policy.maxSidecarHeartbeatSeconds() + " s), durable up to "
                + hb.get().durableLsn());
    }

    private List<Check> tableChecks(TableRef t, Optional<Heartbeat> hb, Check heartbeat, Instant now, Policy policy) {
        String name = t.qualifiedName();
        List<Check> out = new ArrayList<>();
        dev.backstop.snapshot.TableRef ref = new dev.backstop.snapshot.TableRef(database, t.schema(), t.name());
        Optional<LatestPointer> pointer;
        try {
            pointer = catalog.readLatest(ref);
        } catch (dev.backstop.snapshot.FormatException e) {
            pointer = Optional.empty();
            out.add(new Check(SNAPSHOT_EXISTS, name, false, "latest.json is malformed: " + shorten(e.getMessage())));
            return fillMissing(out, name, heartbeat, "no usable recovery point");
        }
        if (pointer.isEmpty()) {
            out.add(new Check(SNAPSHOT_EXISTS, name, false, "no recovery point of " + name + " in the snapshot store"));
            return fillMissing(out, name, heartbeat, "no recovery point");
        }
        out.add(new Check(SNAPSHOT_EXISTS, name, true, "latest recovery point " + pointer.get().recoveryPointId()));
        dev.backstop.snapshot.Result<VerifiedManifest> latest = catalog.latestManifest(ref);
        if (!latest.ok()) {
            out.add(new Check(MANIFEST_CHECKSUM_VALID, name, false, shorten(String.join("; ", latest.problems()))));
        } else {
            out.add(filesCheck(name, latest.value(), policy));
        }
        if (latest.ok()) {
            Manifest m = latest.value().manifest();
            out.add(new Check(SNAPSHOT_FRESH, name, fresh(m, hb, now, policy.maxSnapshotAgeSeconds()),
                    freshnessDetail(m, hb, now, policy.maxSnapshotAgeSeconds())));
        } else {
            out.add(new Check(SNAPSHOT_FRESH, name, false, "not evaluated: the manifest cannot be trusted"));
        }
        String rp = latest.ok() ? latest.value().manifest().recoveryPointId() : pointer.get().recoveryPointId();
        Optional<String> quarantined = latest.ok() ? catalog.quarantinedData(ref, latest.value().manifest())
                : catalog.isQuarantined(ref, rp) ? Optional.of("recovery point " + rp + " is quarantined") : Optional.empty();
        out.add(new Check(NOT_QUARANTINED, name, quarantined.isEmpty(),
                quarantined.orElse("recovery point " + rp + " is not quarantined")));
        out.add(new Check(heartbeat.name(), name, heartbeat.passed(), heartbeat.detail()));
        return order(out);
    }

    private Check filesCheck(String name, VerifiedManifest vm, Policy policy) {
        if (!policy.requireObjectChecksum()) {
            return new Check(MANIFEST_CHECKSUM_VALID, name, true, "manifest checksum verified; listed files not checked"
                    + " (require_object_checksum is false)");
        }
        Verification v = catalog.verifyFilesPresent(vm.manifest());
        return new Check(MANIFEST_CHECKSUM_VALID, name, v.ok(), v.ok()
                ? "manifest checksum verified; " + vm.manifest().files().size() + " file(s) present with recorded size and ETag"
                : shorten(String.join("; ", v.problems())));
    }

    static boolean fresh(Manifest m, Optional<Heartbeat> hb, Instant now, long maxAgeSeconds) {
        if (m.createdAt() != null && Duration.between(m.createdAt(), now).toSeconds() <= maxAgeSeconds) {
            return true;
        }
        return hb.isPresent() && hb.get().durableLsn() != null
                && hb.get().durableLsn().compareTo(m.coveredLsn()) >= 0
                && Duration.between(hb.get().writtenAt(), now).toSeconds() <= maxAgeSeconds;
    }

    private static String freshnessDetail(Manifest m, Optional<Heartbeat> hb, Instant now, long max) {
        String created = m.createdAt() == null ? "unknown age"
                : Duration.between(m.createdAt(), now).toSeconds() + " s old";
        String via = hb.isPresent() && hb.get().durableLsn() != null
                && hb.get().durableLsn().compareTo(m.coveredLsn()) >= 0
                ? "; current up to the heartbeat written " + Duration.between(hb.get().writtenAt(), now).toSeconds()
                + " s ago (durable_lsn " + hb.get().durableLsn() + " >= covered_lsn " + m.coveredLsn() + ")"
                : "";
        return "manifest " + m.recoveryPointId() + " is " + created + via + " (limit " + max + " s)";
    }

    private static List<Check> fillMissing(List<Check> out, String name, Check heartbeat, String why) {
        for (String c : List.of(SNAPSHOT_FRESH, MANIFEST_CHECKSUM_VALID, NOT_QUARANTINED)) {
            out.add(new Check(c, name, false, "not evaluated: " + why));
        }
        out.add(new Check(heartbeat.name(), name, heartbeat.passed(), heartbeat.detail()));
        return order(out);
    }

    private static List<Check> order(List<Check> checks) {
        List<Check> sorted = new ArrayList<>(checks);
        sorted.sort(Comparator.comparingInt(c -> CHECKS.indexOf(c.name())));
        return sorted;
    }

    /** Groups with a member among the tables: their newest group recovery point must verify and cover every member. */
    private List<Check> groupChecks(List<TableRef> tables, Policy policy) {
        List<Check> out = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (TableRef t : tables) {
            policy.recoveryGroups().forEach((g, members) -> {
                if (members.stream().anyMatch(m -> qualified(m).equals(t.qualifiedName()))) {
                    names.add(g);
                }
            });
        }
        for (String g : names) {
            String label = "group:" + g;
            dev.backstop.snapshot.Result<GroupRecoveryPoint> r = catalog.latestGroup(g);
            if (!r.ok()) {
                out.add(new Check(SNAPSHOT_EXISTS, label, false, shorten(String.join("; ", r.problems()))));
                continue;
            }
            Set<String> want = new TreeSet<>();
            policy.recoveryGroups().get(g).forEach(m -> want.add(qualified(m)));
            Set<String> have = new TreeSet<>();
            r.value().members().forEach(m -> have.add(m.table().qualifiedName()));
            boolean ok = have.containsAll(want);
            out.add(new Check(SNAPSHOT_EXISTS, label, ok, ok
                    ? "group recovery point " + r.value().recoveryPointId() + " at " + r.value().lsn()
                    : "group recovery point " + r.value().recoveryPointId() + " covers " + have + ", the policy's group is " + want));
        }
        return out;
    }

    private String wireName(TableRef t) {
        return new dev.backstop.snapshot.TableRef(database, t.schema(), t.name()).wireName();
    }

    private RecoveryGate.Result flushNow(List<TableRef> tables, Policy policy) {
        // Wire names: a schema or table name with a dot is quoted, so the sidecar reads back the same table.
        List<String> names = tables.stream().map(this::wireName).toList();
        SidecarFlushClient.Outcome o = sidecar.flush(names);
        if (!o.ok()) {
            return RecoveryGate.Result.of(failAll(tables, List.of(RECOVERY_POINT_FLUSHED), o.problem()));
        }
        Map<String, SidecarFlushClient.FlushedManifest> byTable = new HashMap<>();
        o.manifests().forEach(m -> byTable.put(m.table(), m));
        List<Check> checks = new ArrayList<>();
        List<RecoveryPoint> used = new ArrayList<>();
        Map<String, String> lsnByTable = new HashMap<>();
        for (TableRef t : tables) {
            String name = t.qualifiedName();
            SidecarFlushClient.FlushedManifest fm = byTable.get(wireName(t));
            if (fm == null) {
                checks.add(new Check(RECOVERY_POINT_FLUSHED, name, false, "the sidecar returned no recovery point for " + name));
                continue;
            }
            dev.backstop.snapshot.TableRef ref = new dev.backstop.snapshot.TableRef(database, t.schema(), t.name());
            dev.backstop.snapshot.Result<VerifiedManifest> vm = catalog.readManifest(fm.manifestKey());
            String problem = null;
            if (!vm.ok()) {
                problem = String.join("; ", vm.problems());
            } else if (!vm.value().manifest().table().equals(ref)) {
                problem = "manifest " + fm.manifestKey() + " is of table " + vm.value().manifest().table();
            } else if (!vm.value().manifest().coveredLsn().equals(Lsn.parse(fm.coveredLsn()))) {
                problem = "manifest " + fm.manifestKey() + " covers " + vm.value().manifest().coveredLsn()
                        + ", the sidecar said " + fm.coveredLsn();
            } else if (fm.manifestSha256() != null && !fm.manifestSha256().equals(vm.value().manifest().manifestSha256())) {
                problem = "manifest " + fm.manifestKey() + " has checksum " + vm.value().manifest().manifestSha256()
                        + ", the sidecar said " + fm.manifestSha256();
            }
            checks.add(new Check(RECOVERY_POINT_FLUSHED, name, true, "flushed up to " + o.lsn() + ": " + fm.manifestKey()));
            if (problem != null) {
                checks.add(new Check(MANIFEST_CHECKSUM_VALID, name, false, shorten(problem)));
                continue;
            }
            Check files = filesCheck(name, vm.value(), policy);
            checks.add(files);
            String rp = vm.value().manifest().recoveryPointId();
            Optional<String> tainted = catalog.quarantinedData(ref, vm.value().manifest());
            boolean quarantined = tainted.isPresent();
            checks.add(new Check(NOT_QUARANTINED, name, !quarantined, tainted.orElse("recovery point " + rp
                    + " is not quarantined")));
            if (files.passed() && !quarantined) {
                used.add(new RecoveryPoint(name, fm.manifestKey(), vm.value().manifest().coveredLsn().toString()));
                lsnByTable.put(name, vm.value().manifest().coveredLsn().toString());
            }
        }
        // Members of one recovery group must be recoverable to one LSN.
        policy.recoveryGroups().forEach((g, members) -> {
            Set<String> lsns = new LinkedHashSet<>();
            boolean involved = false;
            for (String m : members) {
                String q = qualified(m);
                if (names.contains(q)) {
                    involved = true;
                    lsns.add(String.valueOf(lsnByTable.get(q)));
                }
            }
            if (involved && lsns.size() > 1) {
                checks.add(new Check(RECOVERY_POINT_FLUSHED, "group:" + g, false,
                        "the group's members were flushed to different LSNs " + lsns));
            }
        });
        RecoveryGate.Result r = RecoveryGate.Result.of(checks);
        return r.passed() ? new RecoveryGate.Result(true, r.checks(), List.of(), used, o.lsn()) : r;
    }

    /** Runs S3 work with a deadline; an exception or timeout fails every named check (nothing runs). */
    private RecoveryGate.Result bounded(Supplier<RecoveryGate.Result> work, List<TableRef> tables, List<String> names,
                                        Duration limit) {
        Future<RecoveryGate.Result> f;
        try {
            f = workers.submit(work::get);
        } catch (RuntimeException e) {
            return RecoveryGate.Result.of(failAll(tables, names, "the recovery gate cannot run: " + e.getMessage()));
        }
        try {
            return f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return RecoveryGate.Result.of(failAll(tables, names, "the snapshot store did not answer within "
                    + limit.toMillis() + " ms"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            return RecoveryGate.Result.of(failAll(tables, names, "interrupted"));
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            String what = c instanceof dev.backstop.snapshot.store.ObjectStoreException
                    ? "the snapshot store cannot be read (S3 unreachable or refusing): "
                    : "the recovery gate failed: ";
            return RecoveryGate.Result.of(failAll(tables, names,
                    what + shorten(SecretScrubber.scrub(c.getClass().getSimpleName() + ": " + c.getMessage()))));
        }
    }

    private static List<Check> failAll(List<TableRef> tables, List<String> names, String detail) {
        List<Check> out = new ArrayList<>();
        for (TableRef t : tables) {
            for (String n : names) {
                out.add(new Check(n, t.qualifiedName(), false, detail));
            }
        }
        return out;
    }

    /** Policy group members are written as in policy files: "schema.table" or "table" (public). */
    private static String qualified(String member) {
        return member.contains(".") ? member : "public." + member;
    }

    private static String shorten(String s) {
        String v = String.valueOf(s);
        return v.length() > 500 ? v.substring(0, 500) + "..." : v;
    }
}
