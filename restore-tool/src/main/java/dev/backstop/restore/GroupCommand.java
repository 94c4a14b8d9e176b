package dev.backstop.restore;

import dev.backstop.snapshot.GroupRecoveryPoint;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.Sha256;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "group", mixinStandardHelpOptions = true, subcommands = GroupCommand.Restore.class,
        description = "Recovery groups: tables restored together at one LSN.")
final class GroupCommand implements Callable<Integer> {
    @ParentCommand
    RestoreCli parent;

    @Override
    public Integer call() {
        parent.environment().err().println("Missing command: group restore GROUP ... (see --help).");
        return ExitCode.USAGE;
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = {"Restore every member of a recovery group at ONE LSN: the group's latest group recovery "
                    + "point, or the target given (--lsn, --at: the latest member change at or before TIME, "
                    + "--before-audit). Each member goes into {table}__recovered_{stamp} and is validated as in "
                    + "`restore`; copyback SQL is printed only if every member passes.",
                    "Exit codes as for restore."})
    static final class Restore implements Callable<Integer> {
        @ParentCommand
        GroupCommand group;

        @Parameters(index = "0", paramLabel = "GROUP")
        String groupName;

        @ArgGroup(exclusive = true, multiplicity = "0..1")
        TargetOptions target;

        @picocli.CommandLine.Option(names = "--jobs", paramLabel = "N", defaultValue = "2",
                description = "Parallel COPY streams (connections) per table (default 2).")
        int jobs;

        @Override
        public Integer call() throws Exception {
            Session session = group.parent.session();
            RecoveryPointCatalog catalog = session.catalog();
            PrintWriter out = session.environment().out();
            Result<GroupRecoveryPoint> latest = catalog.latestGroup(groupName);
            if (!latest.ok()) {
                throw new CheckFailedException("group " + groupName + ": " + String.join("; ", latest.problems()));
            }
            GroupRecoveryPoint g = latest.value();
            List<TableRef> members = g.members().stream().map(GroupRecoveryPoint.Member::table).toList();
            Path work = RestoreRun.tempDir();
            try (VerifiedFiles files = new VerifiedFiles(session.store(), work)) {
                Restorer restorer = new Restorer(catalog, session.store(), work, session.environment().clock(),
                        session::newConnection, jobs);
                Lsn lsn;
                String description;
                List<VerifiedManifest> manifests = new ArrayList<>();
                if (target == null) {
                    lsn = g.lsn();
                    description = "group recovery point " + g.recoveryPointId() + " at LSN " + lsn;
                    for (GroupRecoveryPoint.Member m : g.members()) {
                        Result<VerifiedManifest> r = catalog.readManifest(m.manifestKey());
                        if (!r.ok() || !Sha256.constantTimeEquals(r.value().manifest().manifestSha256(), m.manifestSha256())
                                || !r.value().manifest().coveredLsn().equals(lsn)) {
                            throw new CheckFailedException("group " + groupName + " member " + m.table() + ": manifest "
                                    + m.manifestKey() + " " + (r.ok() ? "does not match the group recovery point"
                                    : String.join("; ", r.problems())));
                        }
                        if (catalog.isQuarantined(m.table(), r.value().manifest().recoveryPointId())) {
                            throw new CheckFailedException("group " + groupName + " member " + m.table()
                                    + ": recovery point " + r.value().manifest().recoveryPointId() + " is quarantined");
                        }
                        manifests.add(r.value());
                    }
                } else {
                    RestoreTarget t = groupTarget(session, catalog, files, members);
                    lsn = t.lsn();
                    description = t.description();
                    for (TableRef m : members) {
                        manifests.add(RestoreRun.require(restorer.choose(m, new RestoreTarget(lsn, description, null),
                                null, session.flusher()), m, lsn).value());
                    }
                }
                // Verify and replay every member before creating anything.
                List<Restorer.Plan> plans = new ArrayList<>();
                for (VerifiedManifest vm : manifests) {
                    plans.add(restorer.prepare(vm, lsn, files));
                }
                Connection c = session.db();
                Restorer.requireUtf8(c);
                List<Restorer.Outcome> outcomes = new ArrayList<>();
                boolean ok = true;
                out.println("Group:            " + groupName + " (" + members.size() + " tables, one LSN: " + lsn + ")");
                for (Restorer.Plan p : plans) {
                    String name = RestoreRun.scratchName(p.table().name(), "recovered", session.environment().clock().instant());
                    Restorer.Outcome o = restorer.load(c, p, name, session.environment().progress());
                    RestoreCommand.record(session, description, o, groupName);
                    outcomes.add(o);
                    out.println();
                    RestoreRun.printOutcome(out, o, description);
                    ok &= o.ok();
                }
                if (!ok) {
                    out.println("Validation FAILED for at least one member: no copyback SQL. Recovered tables are left "
                            + "for inspection.");
                    return ExitCode.CHECK_FAILED;
                }
                for (Restorer.Outcome o : outcomes) {
                    RestoreCommand.printCopyback(out, c, o.table(), o.recoveredName(), null,
                            session.config().stateSchema());
                }
                return ExitCode.OK;
            } finally {
                RestoreRun.deleteTree(work);
            }
        }

        /** One LSN for all members; for --at the latest member change at or before TIME. */
        private RestoreTarget groupTarget(Session session, RecoveryPointCatalog catalog, VerifiedFiles files,
                                          List<TableRef> members) throws Exception {
            if (target.at == null) {
                return RestoreRun.target(target, session, files, members.get(0));
            }
            RestoreTarget best = null;
            for (TableRef m : members) {
                RestoreTarget t = AtTime.resolve(catalog, files, m, target.atInstant(), session.flusher(),
                        session.environment().clock().instant());
                if (best == null || t.lsn().compareTo(best.lsn()) > 0) {
                    best = t;
                }
            }
            return new RestoreTarget(best.lsn(), "as of " + target.atInstant() + ": every member right after the last "
                    + "change to any of them committed at or before then (LSN " + best.lsn() + ")", null);
        }
    }

    static String describe(Manifest m) {
        return m.table() + " " + m.recoveryPointId();
    }
}
