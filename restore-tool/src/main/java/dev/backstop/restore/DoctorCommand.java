package dev.backstop.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backstop.snapshot.Heartbeat;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.Verification;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.snapshot.store.ObjectStoreException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.s3.model.S3Exception;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check that the whole recovery chain is ready and print a verdict per check: database "
                + "reachable, wal_level=logical, replication slot (sidecar.slotName) exists and is active, S3 "
                + "put/get/delete on a scratch key under the prefix (with snapshots.expectDeleteDenied: delete must be "
                + "refused), sidecar heartbeat fresh (restore.heartbeatMaxAgeSeconds, default 120), and every "
                + "protected table (sidecar.tables) has a fresh (restore.snapshotMaxAgeSeconds, default 300), "
                + "verified (manifest checksum, files present by size and ETag), unquarantined recovery point.",
                "Exit codes: 0 every check passed; 1 any check failed; 2 bad configuration."})
final class DoctorCommand implements Callable<Integer> {
    /** Scratch tables of the restore tool itself are not protected tables. */
    private static final Pattern SCRATCH = Pattern.compile(".*__(recovered|drill)_\\d{8}_\\d{6}$");

    @ParentCommand
    RestoreCli parent;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    record Check(String name, boolean ok, String detail) {
    }

    @Override
    public Integer call() {
        Session s = parent.session();
        RestoreConfig cfg = s.config();
        Instant now = s.environment().clock().instant();
        List<Check> checks = new ArrayList<>();
        Connection c = null;
        try {
            c = s.db();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT version()")) {
                rs.next();
                checks.add(new Check("database_reachable", true, Database.redact(cfg.jdbcUrl()) + ": "
                        + rs.getString(1).split(",")[0]));
            }
        } catch (DatabaseException | SQLException e) {
            checks.add(new Check("database_reachable", false, e.getMessage()));
            c = null;
        }
        if (c != null) {
            checks.add(walLevel(c));
            checks.add(slot(c, cfg.slotName()));
        } else {
            checks.add(new Check("wal_level_logical", false, "database unreachable"));
            checks.add(new Check("replication_slot", false, "database unreachable"));
        }
        boolean storeOk = s3(s, cfg, checks);
        if (storeOk) {
            checks.add(heartbeat(s.catalog(), cfg, now));
        } else {
            checks.add(new Check("heartbeat_fresh", false, "object store unreachable"));
        }
        checks.addAll(tables(s, c, storeOk, now));
        boolean ok = checks.stream().allMatch(Check::ok);
        print(s.environment().out(), checks, ok);
        return ok ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }

    private static Check walLevel(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW wal_level")) {
            rs.next();
            String v = rs.getString(1);
            return new Check("wal_level_logical", "logical".equals(v), "wal_level = " + v);
        } catch (SQLException e) {
            return new Check("wal_level_logical", false, e.getMessage());
        }
    }

    private static Check slot(Connection c, String slot) {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT plugin, active, wal_status FROM pg_replication_slots WHERE slot_name = ? AND database = current_database()")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Check("replication_slot", false, "slot " + slot + " does not exist in this database");
                }
                boolean active = rs.getBoolean(2);
                String wal = rs.getString(3);
                boolean lost = "lost".equals(wal);
                return new Check("replication_slot", active && !lost, "slot " + slot + " (" + rs.getString(1) + ") "
                        + (active ? "active" : "NOT active (sidecar not streaming)") + ", wal_status " + wal);
            }
        } catch (SQLException e) {
            return new Check("replication_slot", false, e.getMessage());
        }
    }

    private static boolean s3(Session s, RestoreConfig cfg, List<Check> checks) {
        ObjectStore store;
        try {
            store = s.store();
        } catch (RuntimeException e) {
            checks.add(new Check("s3_read_write", false, e.getMessage()));
            return false;
        }
        String prefix = s.keys().prefix();
        String key = (prefix.isEmpty() ? "" : prefix + "/") + "doctor/" + UUID.randomUUID() + ".txt";
        byte[] data = ("backstop doctor " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        String where = "s3://" + cfg.snapshots().bucket() + "/" + key;
        try {
            store.put(key, data);
            Optional<byte[]> back = store.get(key);
            if (back.isEmpty() || !Arrays.equals(back.get(), data)) {
                checks.add(new Check("s3_read_write", false, "wrote " + where + " but read back other content"));
                return false;
            }
            checks.add(new Check("s3_read_write", true, "put + get of " + where));
        } catch (ObjectStoreException e) {
            checks.add(new Check("s3_read_write", false, e.getMessage()));
            return false;
        }
        try {
            store.delete(key);
            if (cfg.expectDeleteDenied()) {
                checks.add(new Check("s3_delete_denied", false, "delete of " + where + " was ALLOWED; "
                        + "snapshots.expectDeleteDenied is true: the credentials can destroy recovery points"));
            } else {
                boolean gone = store.head(key).isEmpty();
                checks.add(new Check("s3_delete", gone, gone ? "delete of " + where : where + " still exists after delete"));
            }
        } catch (ObjectStoreException e) {
            boolean denied = e.getCause() instanceof S3Exception se && se.statusCode() == 403;
            if (cfg.expectDeleteDenied()) {
                checks.add(new Check("s3_delete_denied", denied, denied ? "delete of " + where + " refused (403), "
                        + "as expected; the scratch object stays" : e.getMessage()));
            } else {
                checks.add(new Check("s3_delete", false, e.getMessage()));
            }
        }
        return true;
    }

    private static Check heartbeat(RecoveryPointCatalog catalog, RestoreConfig cfg, Instant now) {
        try {
            Heartbeat newest = null;
            for (Heartbeat h : catalog.listHeartbeats()) {
                if (newest == null || h.writtenAt().isAfter(newest.writtenAt())) {
                    newest = h;
                }
            }
            if (newest == null) {
                return new Check("heartbeat_fresh", false, "no sidecar heartbeat under the prefix");
            }
            long age = Duration.between(newest.writtenAt(), now).getSeconds();
            boolean ok = age <= cfg.heartbeatMaxAgeSeconds();
            return new Check("heartbeat_fresh", ok, "sidecar " + newest.sidecarId() + " heartbeat written "
                    + newest.writtenAt() + " (" + age + " s ago, max " + cfg.heartbeatMaxAgeSeconds() + " s), durable LSN "
                    + newest.durableLsn());
        } catch (RuntimeException e) {
            return new Check("heartbeat_fresh", false, e.getMessage());
        }
    }

    private List<Check> tables(Session s, Connection c, boolean storeOk, Instant now) {
        RestoreConfig cfg = s.config();
        List<Check> out = new ArrayList<>();
        if (cfg.tablePatterns().isEmpty()) {
            out.add(new Check("protected_tables", false, "sidecar.tables lists no table pattern"));
            return out;
        }
        if (c == null) {
            out.add(new Check("protected_tables", false, "database unreachable: protected tables unknown"));
            return out;
        }
        List<TableRef> tables = new ArrayList<>();
        try {
            String db = cfg.database();
            List<Pattern> patterns = cfg.tablePatterns().stream().map(DoctorCommand::glob).toList();
            try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname, k.relname FROM pg_class k JOIN pg_namespace n"
                    + " ON n.oid = k.relnamespace WHERE k.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog',"
                    + " 'information_schema', 'pg_toast') AND n.nspname <> ? ORDER BY 1, 2")) {
                ps.setString(1, cfg.stateSchema());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String q = rs.getString(1) + "." + rs.getString(2);
                        if (patterns.stream().anyMatch(p -> p.matcher(q).matches()) && !SCRATCH.matcher(q).matches()) {
                            tables.add(new TableRef(db, rs.getString(1), rs.getString(2)));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            out.add(new Check("protected_tables", false, e.getMessage()));
            return out;
        }
        if (tables.isEmpty()) {
            out.add(new Check("protected_tables", false, "no table matches sidecar.tables " + cfg.tablePatterns()));
            return out;
        }
        for (TableRef t : tables) {
            String name = "recovery_point:" + t.qualifiedName();
            if (!storeOk) {
                out.add(new Check(name, false, "object store unreachable"));
                continue;
            }
            try {
                RecoveryPointCatalog catalog = s.catalog();
                Result<VerifiedManifest> r = catalog.latestManifest(t);
                if (!r.ok()) {
                    out.add(new Check(name, false, String.join("; ", r.problems())));
                    continue;
                }
                Manifest m = r.value().manifest();
                if (catalog.isQuarantined(t, m.recoveryPointId())) {
                    out.add(new Check(name, false, "latest recovery point " + m.recoveryPointId() + " is quarantined"));
                    continue;
                }
                long age = m.createdAt() == null ? Long.MAX_VALUE : Duration.between(m.createdAt(), now).getSeconds();
                Verification v = catalog.verifyFilesPresent(m);
                boolean ok = v.ok() && age <= cfg.snapshotMaxAgeSeconds();
                out.add(new Check(name, ok, m.recoveryPointId() + " covers " + m.coveredLsn() + ", " + age + " s old (max "
                        + cfg.snapshotMaxAgeSeconds() + " s)" + (v.ok() ? ", files present" : ": " + String.join("; ", v.problems()))));
            } catch (RuntimeException e) {
                out.add(new Check(name, false, e.getMessage()));
            }
        }
        return out;
    }

    static Pattern glob(String g) {
        StringBuilder b = new StringBuilder();
        for (char ch : g.toCharArray()) {
            b.append(ch == '*' ? ".*" : Pattern.quote(String.valueOf(ch)));
        }
        return Pattern.compile(b.toString());
    }

    private void print(PrintWriter out, List<Check> checks, boolean ok) {
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode root = mapper.createObjectNode();
            root.put("ok", ok);
            ArrayNode a = root.putArray("checks");
            for (Check ch : checks) {
                a.addObject().put("name", ch.name()).put("ok", ch.ok()).put("detail", ch.detail());
            }
            out.println(root);
            return;
        }
        for (Check ch : checks) {
            out.println((ch.ok() ? "PASS  " : "FAIL  ") + ch.name() + ": " + ch.detail());
        }
        out.println("doctor: " + (ok ? "all checks passed" : checks.stream().filter(x -> !x.ok()).count() + " check(s) FAILED"));
    }
}
