package dev.backstop.sidecar.pg;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.RecoveryPointPublisher;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.TableRef;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.copy.CopyOut;
import org.postgresql.replication.ReplicationSlotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * Takes a base: a temporary logical slot exports a snapshot whose consistent point is the base LSN (exactly the
 * transactions committed before it are visible), the table is read in that snapshot and streamed into Parquet parts
 * rolled at a size limit, each uploaded and read back.
 *
 * <p>Speed: rows come through {@code COPY ... (FORMAT binary)} (streamed, no per-value text parsing) and go straight
 * to Parquet ({@link CopyBinaryRows}, {@link BaseFileWriter}). A large table is split into ranges of heap blocks
 * read in parallel, each on its own connection that imports the same exported snapshot, so together they see exactly
 * what one reader would. Writer {@code p} numbers its parts from {@code p * PARTS_PER_WRITER}, so keys stay unique
 * and in block order. Any failure in any range aborts the whole base: the other ranges stop, temporary files are
 * deleted, no manifest is written by the caller, and the temporary slot goes with its connection.
 */
public final class BaseCopier {
    private static final Logger LOG = LoggerFactory.getLogger(BaseCopier.class);
    private static final Pattern SNAPSHOT_NAME = Pattern.compile("[0-9A-Fa-f-]{1,64}");
    /** Part numbers reserved per parallel writer (5-digit part names for up to 10 writers). */
    static final int PARTS_PER_WRITER = 10_000;
    /** Below this many heap blocks (8 KiB each) per range, another connection costs more than it saves. */
    static final long MIN_RANGE_BLOCKS = 1024;

    /** The result: files (uploaded, verified), the LSN the copy is consistent at, the schema it was taken with. */
    public record Base(TableSchema schema, String snapshotId, Lsn lsn, List<ManifestFile> files, long rows) {
    }

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final RecoveryPointPublisher publisher;
    private final Path workDir;
    private final long partBytes;
    private final Clock clock;
    private final int parallelism;
    private final long minRangeBlocks;

    /** Reads up to {@link #defaultParallelism()} block ranges in parallel. */
    public BaseCopier(String jdbcUrl, String user, String password, RecoveryPointPublisher publisher, Path workDir,
                      long partBytes, Clock clock) {
        this(jdbcUrl, user, password, publisher, workDir, partBytes, clock, defaultParallelism());
    }

    /**
     * One block range per available processor: a range keeps about one core of this JVM busy (decoding, Parquet,
     * SHA-256), the PostgreSQL side runs on the database's cores. Measured on 2 idle cores shared with PostgreSQL,
     * 2 ranges took 1.28-1.47 s and 1 range 1.51-1.54 s for the same 1,000,000 rows; under other load 2 ranges
     * contend more (docs/benchmarks.md "Sidecar"). At most 4: each range buffers up to one Parquet row group
     * (64 MiB) in memory and holds a connection, and the copy should not crowd the database.
     */
    public static int defaultParallelism() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /** {@code parallelism}: at most this many block ranges (and connections) at once; 1 reads the table in one go. */
    public BaseCopier(String jdbcUrl, String user, String password, RecoveryPointPublisher publisher, Path workDir,
                      long partBytes, Clock clock, int parallelism) {
        this(jdbcUrl, user, password, publisher, workDir, partBytes, clock, parallelism, MIN_RANGE_BLOCKS);
    }

    BaseCopier(String jdbcUrl, String user, String password, RecoveryPointPublisher publisher, Path workDir,
               long partBytes, Clock clock, int parallelism, long minRangeBlocks) {
        if (parallelism < 1 || minRangeBlocks < 1) {
            throw new IllegalArgumentException("parallelism and minRangeBlocks must be >= 1");
        }
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.publisher = publisher;
        this.workDir = workDir;
        this.partBytes = partBytes;
        this.clock = clock;
        this.parallelism = parallelism;
        this.minRangeBlocks = minRangeBlocks;
    }

    public Base copy(TableRef table) throws SQLException, IOException {
        Properties rp = new Properties();
        PGProperty.USER.set(rp, user);
        PGProperty.PASSWORD.set(rp, password);
        PGProperty.REPLICATION.set(rp, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(rp, "10");
        PGProperty.PREFER_QUERY_MODE.set(rp, "simple");
        String tempSlot = "backstop_base_" + Long.toHexString(System.nanoTime());
        try (Connection repl = DriverManager.getConnection(jdbcUrl, rp)) {
            ReplicationSlotInfo info = repl.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot()
                    .logical().withSlotName(tempSlot).withOutputPlugin("pgoutput").withTemporaryOption().make();
            Lsn lsn = Lsn.of(info.getConsistentPoint().asLong());
            String snapshot = info.getSnapshotName();
            if (snapshot == null || !SNAPSHOT_NAME.matcher(snapshot).matches()) {
                throw new SQLException("PostgreSQL exported no usable snapshot for the base of " + table);
            }
            // The exported snapshot stays importable while `repl` is open and idle, i.e. until every range is read.
            try (Connection c = inSnapshot(snapshot)) {
                TableSchema schema = PgCatalog.describe(c, table)
                        .orElseThrow(() -> new TableMissingException(table));
                // Before PostgreSQL 14 a ctid range is a filter over a full scan, not a TID range scan: one range.
                int usable = c.getMetaData().getDatabaseMajorVersion() >= 14 ? parallelism : 1;
                List<BaseCopySql.BlockRange> ranges = ranges(heapBlocks(c, table), usable, minRangeBlocks);
                String snapshotId = SnapshotKeys.recoveryPointId(lsn, clock.instant());
                List<BasePartsWriter.Parts> parts = copyRanges(c, snapshot, schema, ranges, snapshotId, lsn);
                c.commit();
                List<ManifestFile> files = new ArrayList<>();
                long rows = 0;
                for (BasePartsWriter.Parts p : parts) {
                    files.addAll(p.files());
                    rows += p.rows();
                }
                LOG.info("base of {} taken at {}: {} rows in {} part(s) from {} block range(s)", table.qualifiedName(),
                        lsn, rows, files.size(), ranges.size());
                return new Base(schema, snapshotId, lsn, List.copyOf(files), rows);
            }
        }
    }

    /** A connection in a repeatable-read transaction that imported the exported snapshot. */
    private Connection inSnapshot(String snapshot) throws SQLException {
        Connection c = DriverManager.getConnection(jdbcUrl, user, password);
        try {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                // The name comes from the server and is checked against SNAPSHOT_NAME above.
                s.execute("SET TRANSACTION SNAPSHOT '" + snapshot + "'");
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Heap size in blocks, read inside the snapshot (tuples the snapshot sees can only be in these blocks). */
    private static long heapBlocks(Connection c, TableRef t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_relation_size(cl.oid, 'main')"
                + " / current_setting('block_size')::bigint FROM pg_class cl JOIN pg_namespace n"
                + " ON n.oid = cl.relnamespace WHERE n.nspname = ? AND cl.relname = ?")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new TableMissingException(t);
                }
                return rs.getLong(1);
            }
        }
    }

    /**
     * Splits [0, blocks) into at most {@code parallelism} ranges of at least {@code minBlocks} blocks. The first range
     * is open below and the last open above, so the ranges cover every tuple whatever the heap size.
     */
    static List<BaseCopySql.BlockRange> ranges(long blocks, int parallelism, long minBlocks) {
        int n = (int) Math.max(1, Math.min(parallelism, blocks / minBlocks));
        List<BaseCopySql.BlockRange> out = new ArrayList<>(n);
        for (int p = 0; p < n; p++) {
            out.add(new BaseCopySql.BlockRange(p == 0 ? null : blocks * p / n,
                    p == n - 1 ? null : blocks * (p + 1) / n));
        }
        return out;
    }

    private List<BasePartsWriter.Parts> copyRanges(Connection first, String snapshot, TableSchema schema,
                                                   List<BaseCopySql.BlockRange> ranges, String snapshotId, Lsn lsn)
            throws SQLException, IOException {
        AtomicBoolean abort = new AtomicBoolean();
        if (ranges.size() == 1) {
            return List.of(copyRange(first, schema, ranges.get(0), 0, snapshotId, lsn, abort));
        }
        ExecutorService pool = Executors.newFixedThreadPool(ranges.size() - 1, r -> {
            Thread th = new Thread(r, "base-copy-" + schema.table().name());
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<BasePartsWriter.Parts>> others = new ArrayList<>();
            for (int p = 1; p < ranges.size(); p++) {
                int range = p;
                others.add(pool.submit(() -> {
                    try (Connection c = inSnapshot(snapshot)) {
                        return copyRange(c, schema, ranges.get(range), range, snapshotId, lsn, abort);
                    } catch (Throwable e) {
                        abort.set(true);
                        throw e;
                    }
                }));
            }
            List<BasePartsWriter.Parts> out = new ArrayList<>();
            Throwable failure = null;
            try {
                out.add(copyRange(first, schema, ranges.get(0), 0, snapshotId, lsn, abort));
            } catch (Throwable e) {
                abort.set(true);
                failure = e;
            }
            // Wait for every range (each deletes its own temporary files) before returning or failing.
            for (Future<BasePartsWriter.Parts> f : others) {
                try {
                    out.add(Futures.getUninterruptibly(f));
                } catch (ExecutionException e) {
                    if (failure == null || failure instanceof BaseAbortedException) {
                        failure = e.getCause();
                    }
                }
            }
            if (failure != null) {
                throw Futures.rethrowable(failure);
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private BasePartsWriter.Parts copyRange(Connection c, TableSchema schema, BaseCopySql.BlockRange range, int index,
                                            String snapshotId, Lsn lsn, AtomicBoolean abort)
            throws SQLException, IOException {
        CopyOut out = c.unwrap(PGConnection.class).getCopyAPI()
                .copyOut(BaseCopySql.copy(schema.table(), schema.columns(), range));
        try {
            CopyBinaryRows rows = new CopyBinaryRows(out::readFromCopy, schema.columns());
            long[] read = {0};
            return parts().writeRows(schema.table(), schema.columns(), snapshotId, lsn, index * PARTS_PER_WRITER,
                    PARTS_PER_WRITER, row -> {
                        if ((++read[0] & 1023) == 0 && abort.get()) {
                            throw new BaseAbortedException();
                        }
                        return rows.next(row);
                    });
        } finally {
            if (out.isActive()) {
                try {
                    out.cancelCopy();
                } catch (SQLException e) {
                    LOG.debug("cancelling the base COPY of {} failed too", schema.table().qualifiedName(), e);
                }
            }
        }
    }

    /** Another range failed: this one stops too (the failure that caused it is reported). */
    static final class BaseAbortedException extends IOException {
        BaseAbortedException() {
            super("base copy aborted because another block range failed");
        }
    }

    public BasePartsWriter parts() {
        return new BasePartsWriter(publisher, workDir, partBytes);
    }

    public static String quote(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }
}
