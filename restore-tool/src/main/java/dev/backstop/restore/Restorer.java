package dev.backstop.restore;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.parquet.BaseReader;
import dev.backstop.snapshot.parquet.StreamingReplay;
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
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One table restore: choose the recovery point, download and verify every file (size, SHA-256, row count) before
 * reading it, rebuild the rows at the target LSN, load them into a new table, then validate it (row count, primary
 * key, fingerprint). Never writes to the original table.
 */
final class Restorer {

    /** What a restore produced; {@code problems} empty means validated. */
    record Outcome(TableRef table, VerifiedManifest manifest, Lsn lsn, String recoveredName, long rows, long bytes,
                   double seconds, Fingerprint.Value expected, Fingerprint.Value actual, boolean created,
                   List<String> checks, List<String> problems, String timings, String prepared) {
        boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * A prepared restore: the delta files verified and the changes up to the target read (memory O(changes)); the
     * base rows are streamed only when loading (or counting for a dry run), each base file checked before it is read
     * (already when {@code files} was verified whole, see {@link #prepare}). {@code started}: when the verification
     * started ({@link System#nanoTime()}).
     */
    record Plan(TableRef table, VerifiedManifest manifest, Lsn lsn, StreamingReplay replay,
                StreamingReplay.BaseSource base, VerifiedFiles files, List<String> checks, long started) {
        /** Seconds from the start of the verification to the end of the last file's check. */
        double verifySeconds() {
            return Math.max(0, files.lastCheckedNanos() - started) / 1e9;
        }
    }

    /** The rows at the target counted and fingerprinted without loading them (a dry run). */
    record Counted(long rows, Fingerprint.Value fingerprint, List<String> checks) {
    }

    /** COPY chunk size: below half a G1 region (1 MiB with small heaps), so chunks are never humongous objects. */
    private static final int CHUNK = 256 * 1024;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private final RecoveryPointCatalog catalog;
    private final ObjectStore store;
    private final Path workDir;
    private final Clock clock;
    private final Supplier<Connection> connector;
    private final int jobs;

    /**
     * {@code connector} opens a new connection to the protected database (one per parallel COPY stream);
     * {@code jobs} is the number of streams.
     */
    Restorer(RecoveryPointCatalog catalog, ObjectStore store, Path workDir, Clock clock, Supplier<Connection> connector,
             int jobs) {
        if (jobs < 1 || jobs > 16) {
            throw new ConfigException("--jobs must be between 1 and 16, got " + jobs);
        }
        this.catalog = catalog;
        this.store = store;
        this.workDir = workDir;
        this.clock = clock;
        this.connector = connector;
        this.jobs = jobs;
    }

    /** Asks the sidecar to make everything committed so far durable; returns a note for the error if that did not help. */
    @FunctionalInterface
    interface Flusher {
        String flush(TableRef table, Lsn target, String why);
    }

    /**
     * As {@link #choose(TableRef, RestoreTarget, String)}; when the target is not captured yet, {@code flusher} (may be
     * null: no flush) is asked to flush once, then the choice is made again.
     */
    Result<VerifiedManifest> choose(TableRef table, RestoreTarget target, String recoveryPointId, Flusher flusher) {
        return choose(catalog, table, target, recoveryPointId, flusher);
    }

    static Result<VerifiedManifest> choose(RecoveryPointCatalog catalog, TableRef table, RestoreTarget target,
                                           String recoveryPointId, Flusher flusher) {
        PointSelector selector = new PointSelector(catalog);
        Result<VerifiedManifest> r = choose(catalog, selector, table, target, recoveryPointId);
        if (r.ok() || flusher == null || !selector.notCapturedYet()) {
            return r;
        }
        String note = flusher.flush(table, target.lsn(), "no usable recovery point of " + table + " for "
                + target.lsn() + " yet: " + String.join("; ", r.problems()));
        Result<VerifiedManifest> again = choose(catalog, new PointSelector(catalog), table, target, recoveryPointId);
        if (again.ok()) {
            return again;
        }
        List<String> problems = new ArrayList<>(again.problems());
        problems.add(note);
        return Result.failed(problems);
    }

    /** The manifest to use: explicit id, else the audit's suggestion if it serves, else the selector's choice. */
    Result<VerifiedManifest> choose(TableRef table, RestoreTarget target, String recoveryPointId) {
        return choose(catalog, new PointSelector(catalog), table, target, recoveryPointId);
    }

    private static Result<VerifiedManifest> choose(RecoveryPointCatalog catalog, PointSelector selector, TableRef table,
                                                   RestoreTarget target, String recoveryPointId) {
        if (recoveryPointId != null) {
            return selector.byId(table, recoveryPointId, target.lsn());
        }
        if (target.manifestKey() != null) {
            Result<VerifiedManifest> hinted = catalog.readManifest(target.manifestKey());
            if (hinted.ok()) {
                Manifest m = hinted.value().manifest();
                if (m.table().equals(table) && m.baseLsn().compareTo(target.lsn()) <= 0
                        && m.coveredLsn().compareTo(target.lsn()) >= 0
                        && catalog.quarantinedData(table, m).isEmpty()) {
                    return hinted;
                }
            }
        }
        return selector.select(table, target.lsn());
    }

    /**
     * Verifies every file of the recovery point (size, SHA-256, rows) before returning, then reads the changes up to
     * {@code lsn}: for a group restore, where nothing is created before every member is verified.
     */
    Plan prepare(VerifiedManifest vm, Lsn lsn, VerifiedFiles files) throws IOException {
        long t0 = System.nanoTime();
        Manifest m = vm.manifest();
        List<String> problems = files.downloadAll(m);
        if (!problems.isEmpty()) {
            throw rejected(m, problems);
        }
        return plan(vm, lsn, files, t0);
    }

    /**
     * As {@link #prepare}, but only the delta files are verified before returning; the base files are downloaded and
     * checked in the background, in order, and the load (or count) waits for each one's check before reading it. The
     * first base file's rows are loaded while the next ones are still being checked; a file that fails its check
     * fails the load, which drops the new table: nothing is restored, as when the check comes first.
     */
    Plan prepareStreaming(VerifiedManifest vm, Lsn lsn, VerifiedFiles files) throws IOException {
        long t0 = System.nanoTime();
        Manifest m = vm.manifest();
        files.start(m.deltaFiles());
        files.start(m.baseFiles());
        List<String> problems = files.await(m.deltaFiles());
        if (!problems.isEmpty()) {
            throw rejected(m, problems);
        }
        return plan(vm, lsn, files, t0);
    }

    private Plan plan(VerifiedManifest vm, Lsn lsn, VerifiedFiles files, long t0) throws IOException {
        Manifest m = vm.manifest();
        StreamingReplay replay;
        try {
            replay = StreamingReplay.readDeltas(m, files, lsn);
        } catch (FormatException e) {
            throw new CheckFailedException("recovery point " + m.recoveryPointId() + " cannot be replayed to " + lsn
                    + ": " + e.getMessage());
        } catch (VerifiedFiles.Rejected e) {
            throw rejected(m, e.problems());
        }
        List<String> checks = List.of("manifest checksum: ok (" + vm.key() + ")");
        // Text outside the key stays UTF-8 bytes: COPY and the fingerprint use the bytes (see Utf8Text).
        return new Plan(m.table(), vm, lsn, replay, BaseReader.sourceOf(m, files, true), files, checks, t0);
    }

    private static CheckFailedException rejected(Manifest m, List<String> problems) {
        return new CheckFailedException("recovery point " + m.recoveryPointId() + " of " + m.table()
                + " failed verification, nothing was restored:\n  - " + String.join("\n  - ", problems));
    }

    /** Streams the plan's rows into {@code sink}; checks consistency (no unmatched change, total_rows at covered LSN). */
    private long stream(Plan plan, StreamingReplay.RowSink sink, List<String> checks) throws IOException {
        Manifest m = plan.manifest().manifest();
        StreamingReplay.Totals t;
        try {
            t = plan.replay().stream(plan.base(), sink);
        } catch (FormatException e) {
            throw new CheckFailedException("recovery point " + m.recoveryPointId() + " cannot be replayed to "
                    + plan.lsn() + ": " + e.getMessage());
        } catch (VerifiedFiles.Rejected e) {
            throw rejected(m, e.problems());
        }
        // Every file was read, so every one passed its check (a streaming plan checks them while loading).
        checks.add("files: ok (" + m.files().size() + " files, " + plan.files().bytes()
                + " bytes, size + SHA-256 + rows)");
        if (t.unmatched() != 0) {
            throw new CheckFailedException("recovery point " + m.recoveryPointId() + " is inconsistent: "
                    + t.unmatched() + " delete/update change(s) found no old row; nothing was restored");
        }
        if (plan.lsn().equals(m.coveredLsn())) {
            if (m.totalRows() == null || m.totalRows() != t.rows()) {
                throw new CheckFailedException("replay of " + m.recoveryPointId() + " gives " + t.rows()
                        + " rows, the manifest's total_rows is " + m.totalRows() + "; nothing was restored");
            }
            checks.add("replay: ok (" + plan.replay().appliedChanges() + " changes, " + t.rows()
                    + " rows = manifest total_rows)");
        } else {
            checks.add("replay: ok (" + plan.replay().appliedChanges() + " changes up to " + plan.lsn() + ", "
                    + t.rows() + " rows; manifest total_rows " + m.totalRows() + " is at " + m.coveredLsn() + ")");
        }
        return t.rows();
    }

    /** Dry run: the rows at the target, counted and fingerprinted, nothing written. */
    Counted count(Plan plan) throws IOException {
        Fingerprint fp = new Fingerprint(plan.manifest().manifest().columns());
        List<String> checks = new ArrayList<>(plan.checks());
        long rows = stream(plan, fp::add, checks);
        return new Counted(rows, fp.value(), checks);
    }

    /**
     * Creates {@code schema.into}, streams the rebuilt rows into it with COPY over {@code jobs} connections (binary
     * format when every column type allows it), adds the primary key, and validates the result (row count, primary
     * key, fingerprint computed in Java while streaming and in SQL over the new table). A replay found inconsistent
     * while streaming, or a load error, drops the new table (nothing restored); a failed validation leaves it for
     * inspection.
     */
    Outcome load(Connection c, Plan plan, String into, boolean progress) throws IOException {
        return load(c, plan, into, progress, null, false);
    }

    /**
     * As {@link #load(Connection, Plan, String, boolean)} into an UNLOGGED table, without progress: for a scratch
     * table the caller drops right after (a drill), which needs no crash safety and should cost production no WAL.
     */
    Outcome loadScratch(Connection c, Plan plan, String into) throws IOException {
        return load(c, plan, into, false, null, true);
    }

    /**
     * Work that only reads the new table (and the live one) and is worth overlapping with the SQL fingerprint, such
     * as measuring the copyback counts; its result is used only if the validation passes.
     */
    @FunctionalInterface
    interface WhileValidating {
        /**
         * {@code primaryKey}: the key the new table gets once validated (the constraint is added last);
         * {@code sortedKeys}: when that key is one integer column, every streamed row's key, sorted (the new table's
         * keys if the validation passes), else null.
         */
        String run(Connection c, List<String> primaryKey, long[] sortedKeys) throws SQLException;
    }

    /**
     * As {@link #load(Connection, Plan, String, boolean)}, running {@code meanwhile} on a connection of its own while
     * the recovered table is validated; its result is kept only if the validation passes.
     */
    Outcome load(Connection c, Plan plan, String into, boolean progress, WhileValidating meanwhile) throws IOException {
        return load(c, plan, into, progress, meanwhile, false);
    }

    private Outcome load(Connection c, Plan plan, String into, boolean progress, WhileValidating meanwhile,
                         boolean unlogged) throws IOException {
        Manifest m = plan.manifest().manifest();
        String schema = plan.table().schema();
        String table = Sql.qualified(schema, into);
        List<String> checks = new ArrayList<>(plan.checks());
        List<String> problems = new ArrayList<>();
        long started = System.nanoTime();
        boolean created = false;
        List<Connection> workers = new ArrayList<>();
        try {
            if (TableLoader.exists(c, schema, into)) {
                throw new RefusedException("table " + schema + "." + into + " already exists: choose another --into "
                        + "name or drop it first (the restore never overwrites a table)");
            }
            TableLoader loader = new TableLoader(c);
            List<String> unknown = loader.unknownTypes(m.columns());
            if (!unknown.isEmpty()) {
                throw new CheckFailedException("cannot create the recovered table: " + String.join("; ", unknown));
            }
            loader.create(schema, into, m.columns(), unlogged);
            created = true;
            Optional<CopyBinary> binary = CopyBinary.forTable(c, schema, into, m.columns());
            for (int i = 0; i < jobs; i++) {
                workers.add(connector.get());
            }
            DebugTimings.print("table created, %d connections opened: %.3f s after the load started", jobs,
                    (System.nanoTime() - started) / 1e9);
            String copySql = "COPY " + table + " (" + Sql.identList(m.columns().stream().map(ColumnSpec::name).toList())
                    + ") FROM STDIN" + (binary.isPresent() ? " (FORMAT binary)" : "");
            long rows;
            long copied;
            Fingerprint.Value expected;
            // The keys are kept only for work done while validating (the copyback counts), and only for one
            // integer key column (null otherwise).
            KeyCollector keys = meanwhile == null ? null : KeyCollector.forKey(m.columns(), m.primaryKey(), m.totalRows());
            try (FingerprintWorker fp = new FingerprintWorker(m.columns(), keys);
                 ParallelCopy copy = new ParallelCopy(workers, copySql,
                    binary.isPresent() ? CopyBinary.HEADER : new byte[0], binary.isPresent() ? CopyBinary.TRAILER : new byte[0]);
                 Progress bar = new Progress(progress, into, m.totalRows())) {
                ByteBuf[] buf = {new ByteBuf(CHUNK + 32 * 1024)};
                long[] pending = {0};
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                rows = stream(plan, row -> {
                    fp.add(row);
                    if (binary.isPresent()) {
                        binary.get().appendRow(buf[0], row);
                    } else {
                        CopyText.appendRow(buf[0], row);
                    }
                    pending[0]++;
                    if (buf[0].size() >= CHUNK) {
                        copy.send(buf[0].toByteArray());
                        buf[0].clear();
                        bar.step(pending[0]);
                        pending[0] = 0;
                    }
                }, checks);
                if (buf[0].size() > 0) {
                    copy.send(buf[0].toByteArray());
                }
                bar.step(pending[0]);
                long cpu1 = THREADS.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                copied = copy.finish();
                expected = fp.finish();
                if (Boolean.getBoolean("backstop.restore.debug")) {
                    System.err.printf(java.util.Locale.ROOT, "[restore] producer cpu %.2f s, wall %.2f s, copy wait %.2f s,"
                            + " end wait %.2f s, fingerprint cpu %.2f s%n", (cpu1 - cpu0) / 1e9,
                            (System.nanoTime() - started) / 1e9, copy.waitNanos() / 1e9, (System.nanoTime() - w0) / 1e9,
                            fp.cpuNanos() / 1e9);
                }
            }
            checks.add("load: COPY " + (binary.isPresent() ? "binary" : "text") + " over " + jobs + " connection(s)");
            double loadSeconds = (System.nanoTime() - started) / 1e9;
            if (copied != rows) {
                problems.add("COPY loaded " + copied + " rows, " + rows + " were rebuilt");
            }
            long v0 = System.nanoTime();
            String[] prepared = {null};
            Fingerprint.Value actual = validate(c, workers, m, schema, into, checks, problems, meanwhile, keys, prepared);
            double seconds = (System.nanoTime() - started) / 1e9;
            if (actual.rows() != rows) {
                problems.add("row count: recovered table has " + actual.rows() + " rows, expected " + rows);
            } else {
                checks.add("row count: ok (" + actual.rows() + ")");
            }
            if (!actual.equals(expected)) {
                problems.add("fingerprint: recovered table " + actual + " differs from the rebuilt rows " + expected);
            } else {
                checks.add("fingerprint: ok (" + actual.sum() + ")");
            }
            if (problems.isEmpty()) {
                TableLoader.comment(c, schema, into, "backstop: " + plan.table() + " as of LSN " + plan.lsn()
                        + " from recovery point " + m.recoveryPointId() + ", validated (" + rows + " rows, fingerprint "
                        + actual.sum() + ")");
            }
            String timings = String.format(java.util.Locale.ROOT,
                    "verify %.2f s, replay + COPY %.2f s, primary key + fingerprint %.2f s", plan.verifySeconds(),
                    loadSeconds, (System.nanoTime() - v0) / 1e9);
            return new Outcome(plan.table(), plan.manifest(), plan.lsn(), into, rows, plan.files().bytes(), seconds, expected,
                    actual, true, checks, problems, timings, prepared[0]);
        } catch (SQLException e) {
            dropQuietly(c, created, schema, into);
            throw new DatabaseException("restore of " + plan.table() + " into " + into + " failed: " + e.getMessage(), e);
        } catch (ParallelCopy.CopyFailedException e) {
            dropQuietly(c, created, schema, into);
            throw new DatabaseException("restore of " + plan.table() + " into " + into + " failed: COPY: "
                    + e.getMessage(), e.getCause() instanceof SQLException s ? s : new SQLException(e));
        } catch (IOException | RuntimeException | Error e) {
            // An Error too (out of memory while reading a row group, say): the half-loaded table goes either way.
            dropQuietly(c, created, schema, into);
            throw e;
        } finally {
            for (Connection w : workers) {
                try {
                    w.close();
                } catch (SQLException ignored) {
                    // the load's outcome is decided
                }
            }
        }
    }

    /**
     * Adds the primary key (a unique index built while the SQL fingerprint runs on the other connections, then made
     * the primary key) and computes the SQL fingerprint in block ranges, one per connection.
     */
    private Fingerprint.Value validate(Connection c, List<Connection> workers, Manifest m, String schema, String into,
                                       List<String> checks, List<String> problems, WhileValidating meanwhile,
                                       KeyCollector keys, String[] prepared) throws SQLException {
        String table = Sql.qualified(schema, into);
        long blocks;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_relation_size(" + Sql.literal(table)
                + "::regclass) / current_setting('block_size')::int8")) {
            rs.next();
            blocks = rs.getLong(1);
        }
        int n = workers.size();
        List<java.util.concurrent.CompletableFuture<Fingerprint.Value>> parts = new ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n + 1, r -> {
            Thread t = new Thread(r, "backstop-fingerprint");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < n; i++) {
                long from = blocks * i / n;
                long to = blocks * (i + 1) / n;
                // The last range is open-ended: nothing is missed whatever the block count is by then.
                String where = (i == 0 ? "" : "ctid >= '(" + from + ",0)'::tid")
                        + (i == 0 || i == n - 1 ? "" : " AND ") + (i == n - 1 ? "" : "ctid < '(" + to + ",0)'::tid");
                Connection w = workers.get(i);
                String sql = Fingerprint.sql(m.columns(), table, where);
                parts.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try (Statement s = w.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                        rs.next();
                        return Fingerprint.of(rs.getLong(1), rs.getBigDecimal(2));
                    } catch (SQLException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }, pool));
            }
            // The copyback counts run on a connection of their own at the same time as the fingerprint and the
            // unique index (all three only read): four backends keep both cores busy until the end, where counts
            // after the index left one idle. The counts rely on the recovered key being unique, which the index
            // proves: they are used only if the whole validation passes.
            java.util.concurrent.CompletableFuture<String> counts = meanwhile == null ? null
                    : java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try (Connection mc = connector.get()) {
                            // Sorted here, not at the end of the load: this overlaps with the index and fingerprint.
                            return meanwhile.run(mc, m.primaryKey(), keys == null ? null : keys.sorted());
                        } catch (SQLException | RuntimeException e) {
                            return null; // done again (and reported) after the validation, if it passes
                        }
                    }, pool);
            // The unique index is built while the fingerprint runs (both only need to read); making it the primary
            // key takes an exclusive lock, so that waits for the fingerprint and the counts.
            String index = m.primaryKey().isEmpty() ? null : RestoreRun.truncateName(into + "_pkey");
            if (index != null) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE UNIQUE INDEX " + Sql.ident(index) + " ON " + table + " ("
                            + Sql.identList(m.primaryKey()) + ")");
                } catch (SQLException e) {
                    index = null;
                    problems.add("primary key (" + String.join(", ", m.primaryKey()) + ") is not unique in the "
                            + "recovered rows: " + e.getMessage());
                }
            }
            if (counts != null) {
                String text = counts.join();
                prepared[0] = problems.isEmpty() ? text : null;
            }
            Fingerprint.Value total = new Fingerprint.Value(0, "0");
            for (var f : parts) {
                total = total.plus(f.join());
            }
            if (index != null) {
                try (Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE " + table + " ADD PRIMARY KEY USING INDEX " + Sql.ident(index));
                    checks.add("primary key: unique (" + String.join(", ", m.primaryKey()) + ")");
                }
            } else if (m.primaryKey().isEmpty()) {
                checks.add("primary key: none (copyback only in replace mode)");
            }
            return total;
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void dropQuietly(Connection c, boolean created, String schema, String name) {
        if (!created) {
            return;
        }
        try {
            TableLoader.drop(c, schema, name);
        } catch (SQLException ignored) {
            // the original error is the one to report; the half-loaded table is named in it
        }
    }

    static Fingerprint.Value fingerprint(Connection c, List<ColumnSpec> columns, String relation) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(Fingerprint.sql(columns, relation, ""))) {
            rs.next();
            return Fingerprint.of(rs.getLong(1), rs.getBigDecimal(2));
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
