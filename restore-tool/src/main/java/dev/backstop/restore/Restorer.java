package dev.backstop.restore;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.parquet.TableRebuilder;
import dev.backstop.snapshot.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * One table restore: choose the recovery point, download and verify every file (size, SHA-256, row count) before
 * reading any, rebuild the rows at the target LSN, load them into a new table, then validate it (row count, primary
 * key, fingerprint). Never writes to the original table.
 */
final class Restorer {

    /** What a restore produced; {@code problems} empty means validated. */
    record Outcome(TableRef table, VerifiedManifest manifest, Lsn lsn, String recoveredName, long rows, long bytes,
                   double seconds, Fingerprint.Value expected, Fingerprint.Value actual, boolean created,
                   List<String> checks, List<String> problems) {
        boolean ok() {
            return problems.isEmpty();
        }
    }

    /** A prepared restore: verified, rebuilt, fingerprinted; nothing written to the database yet. */
    record Plan(TableRef table, VerifiedManifest manifest, Lsn lsn, List<Object[]> rows, long bytes,
                Fingerprint.Value expected, List<String> checks) {
    }

    private final RecoveryPointCatalog catalog;
    private final ObjectStore store;
    private final Path workDir;
    private final Clock clock;

    Restorer(RecoveryPointCatalog catalog, ObjectStore store, Path workDir, Clock clock) {
        this.catalog = catalog;
        this.store = store;
        this.workDir = workDir;
        this.clock = clock;
    }

    /** The manifest to use: explicit id, else the audit's suggestion if it serves, else the selector's choice. */
    Result<VerifiedManifest> choose(TableRef table, RestoreTarget target, String recoveryPointId) {
        PointSelector selector = new PointSelector(catalog);
        if (recoveryPointId != null) {
            return selector.byId(table, recoveryPointId, target.lsn());
        }
        if (target.manifestKey() != null) {
            Result<VerifiedManifest> hinted = catalog.readManifest(target.manifestKey());
            if (hinted.ok()) {
                Manifest m = hinted.value().manifest();
                if (m.table().equals(table) && m.baseLsn().compareTo(target.lsn()) <= 0
                        && m.coveredLsn().compareTo(target.lsn()) >= 0
                        && !catalog.isQuarantined(table, m.recoveryPointId())) {
                    return hinted;
                }
            }
        }
        return selector.select(table, target.lsn());
    }

    Plan prepare(VerifiedManifest vm, Lsn lsn, VerifiedFiles files) throws IOException {
        Manifest m = vm.manifest();
        List<String> checks = new ArrayList<>();
        checks.add("manifest checksum: ok (" + vm.key() + ")");
        List<String> problems = files.downloadAll(m);
        if (!problems.isEmpty()) {
            throw new CheckFailedException("recovery point " + m.recoveryPointId() + " of " + m.table()
                    + " failed verification, nothing was restored:\n  - " + String.join("\n  - ", problems));
        }
        checks.add("files: ok (" + m.files().size() + " files, " + files.bytes() + " bytes, size + SHA-256 + rows)");
        TableRebuilder.RebuiltTable rebuilt;
        try {
            rebuilt = TableRebuilder.rebuild(m, files, lsn);
        } catch (FormatException e) {
            throw new CheckFailedException("recovery point " + m.recoveryPointId() + " cannot be replayed to " + lsn
                    + ": " + e.getMessage());
        }
        if (rebuilt.unmatchedChanges() != 0) {
            throw new CheckFailedException("recovery point " + m.recoveryPointId() + " is inconsistent: "
                    + rebuilt.unmatchedChanges() + " delete/update change(s) found no old row; nothing was restored");
        }
        if (lsn.equals(m.coveredLsn())) {
            if (m.totalRows() == null || m.totalRows() != rebuilt.rows().size()) {
                throw new CheckFailedException("replay of " + m.recoveryPointId() + " gives " + rebuilt.rows().size()
                        + " rows, the manifest's total_rows is " + m.totalRows() + "; nothing was restored");
            }
            checks.add("replay: ok (" + rebuilt.appliedChanges() + " changes, " + rebuilt.rows().size()
                    + " rows = manifest total_rows)");
        } else {
            checks.add("replay: ok (" + rebuilt.appliedChanges() + " changes up to " + lsn + ", "
                    + rebuilt.rows().size() + " rows; manifest total_rows " + m.totalRows() + " is at "
                    + m.coveredLsn() + ")");
        }
        Fingerprint fp = new Fingerprint(m.columns());
        for (Object[] row : rebuilt.rows()) {
            fp.add(row);
        }
        return new Plan(m.table(), vm, lsn, rebuilt.rows(), files.bytes(), fp.value(), checks);
    }

    /** Creates {@code schema.into}, loads the plan's rows and validates the result. */
    Outcome load(Connection c, Plan plan, String into, boolean progress) {
        Manifest m = plan.manifest().manifest();
        String schema = plan.table().schema();
        List<String> checks = new ArrayList<>(plan.checks());
        List<String> problems = new ArrayList<>();
        long started = System.nanoTime();
        try {
            if (TableLoader.exists(c, schema, into)) {
                throw new RefusedException("table " + schema + "." + into + " already exists: choose another --into "
                        + "name or drop it first (the restore never overwrites a table)");
            }
            TableLoader loader = new TableLoader(c, progress);
            List<String> unknown = loader.unknownTypes(m.columns());
            if (!unknown.isEmpty()) {
                throw new CheckFailedException("cannot create the recovered table: " + String.join("; ", unknown));
            }
            c.setAutoCommit(false);
            long copied;
            try {
                loader.create(schema, into, m.columns());
                copied = loader.copy(schema, into, m.columns(), plan.rows());
                if (!m.primaryKey().isEmpty()) {
                    try (Statement s = c.createStatement()) {
                        s.execute("SAVEPOINT pk");
                    }
                    try {
                        loader.addPrimaryKey(schema, into, m.primaryKey());
                        checks.add("primary key: unique (" + String.join(", ", m.primaryKey()) + ")");
                    } catch (SQLException e) {
                        try (Statement s = c.createStatement()) {
                            s.execute("ROLLBACK TO SAVEPOINT pk");
                        }
                        problems.add("primary key (" + String.join(", ", m.primaryKey()) + ") is not unique in the "
                                + "recovered rows: " + e.getMessage());
                    }
                } else {
                    checks.add("primary key: none (copyback only in replace mode)");
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            if (copied != plan.rows().size()) {
                problems.add("COPY loaded " + copied + " rows, " + plan.rows().size() + " were rebuilt");
            }
            Fingerprint.Value actual = fingerprint(c, m.columns(), Sql.qualified(schema, into));
            if (actual.rows() != plan.rows().size()) {
                problems.add("row count: recovered table has " + actual.rows() + " rows, expected " + plan.rows().size());
            } else {
                checks.add("row count: ok (" + actual.rows() + ")");
            }
            if (!actual.equals(plan.expected())) {
                problems.add("fingerprint: recovered table " + actual + " differs from the rebuilt rows "
                        + plan.expected());
            } else {
                checks.add("fingerprint: ok (" + actual.sum() + ")");
            }
            return new Outcome(plan.table(), plan.manifest(), plan.lsn(), into, plan.rows().size(), plan.bytes(),
                    seconds, plan.expected(), actual, true, checks, problems);
        } catch (SQLException e) {
            throw new DatabaseException("restore of " + plan.table() + " into " + into + " failed: " + e.getMessage(), e);
        }
    }

    static Fingerprint.Value fingerprint(Connection c, List<ColumnSpec> columns, String relation) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(Fingerprint.sql(columns, relation))) {
            rs.next();
            return new Fingerprint.Value(rs.getLong(1), rs.getBigDecimal(2).toBigInteger().toString());
        }
    }

    static void requireUtf8(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_encoding")) {
            rs.next();
            if (!"UTF8".equalsIgnoreCase(rs.getString(1))) {
                throw new CheckFailedException("database encoding is " + rs.getString(1)
                        + "; the restore's fingerprint is defined for UTF8 databases only");
            }
        }
    }

    Clock clock() {
        return clock;
    }

    ObjectStore store() {
        return store;
    }

    Path workDir() {
        return workDir;
    }
}
