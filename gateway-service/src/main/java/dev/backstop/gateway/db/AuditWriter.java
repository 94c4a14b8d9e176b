package dev.backstop.gateway.db;

import dev.backstop.gateway.core.AuditChain;
import io.dropwizard.lifecycle.Managed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for the audit table: one writer thread takes every pending append and completion,
 * writes them in ONE transaction and completes each caller's future only after COMMIT returned, so
 * "audit before execute" costs one shared commit per batch instead of one commit per request.
 * The chain head (last seq and row_hash) is kept in memory and read from the table after a start or
 * any failure; a unique index on prev_hash (and the seq key) makes a second writer that extended the
 * same head fail, and the batch is retried from the re-read head (up to {@link #MAX_CHAIN_RACES}
 * times), so several gateway processes keep one chain.
 * Completions are written together with the next batch of appends (or alone when none arrive within
 * {@link #COMPLETION_LINGER_MS}), so a request costs about one shared commit, not two; a batch is one
 * statement in one round trip (see {@link #writeOnce}).
 */
public final class AuditWriter implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(AuditWriter.class);

    sealed interface Op permits Append, Complete {
        CompletableFuture<Void> done();
    }

    /** A new row; {@code completion} is non-null when the row is written complete in one step. */
    record Append(UUID id, Instant ts, String principal, String decision, String risk, UUID approvalId,
                  String record, String outcome, Instant completedAt, String completion,
                  CompletableFuture<Void> done) implements Op {
    }

    record Complete(UUID id, String outcome, Instant completedAt, UUID approvalId, String completion,
                    CompletableFuture<Void> done) implements Op {
    }

    private final DataSource dataSource;
    private final StateSchema schema;
    private final int maxBatch;
    private final Consumer<Throwable> onFailure;
    static final long COMPLETION_LINGER_MS = 2;
    /** Attempts of one batch when other writers keep extending the chain first; then the batch fails. */
    static final int MAX_CHAIN_RACES = 20;
    private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>(200_000);
    private final BlockingQueue<Op> completions = new LinkedBlockingQueue<>(200_000);
    /** The chain head as last committed by this writer; null = read it from the table. */
    private long headSeq = -1;
    private String headHash;
    private volatile boolean running;
    private Thread thread;

    public AuditWriter(DataSource dataSource, StateSchema schema, int maxBatch, Consumer<Throwable> onFailure) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.maxBatch = maxBatch;
        this.onFailure = onFailure;
    }

    public CompletableFuture<Void> append(UUID id, Instant ts, String principal, String decision, String risk,
                                          UUID approvalId, String record, String outcome, Instant completedAt,
                                          String completion) {
        return enqueue(new Append(id, ts, principal, decision, risk, approvalId, record, outcome, completedAt,
                completion, new CompletableFuture<>()));
    }

    public CompletableFuture<Void> complete(UUID id, String outcome, Instant completedAt, UUID approvalId,
                                            String completion) {
        return enqueue(new Complete(id, outcome, completedAt, approvalId, completion, new CompletableFuture<>()));
    }

    private CompletableFuture<Void> enqueue(Op op) {
        BlockingQueue<Op> q = op instanceof Append ? queue : completions;
        if (!running || !q.offer(op)) {
            op.done().completeExceptionally(new IllegalStateException("audit writer not running or queue full"));
        }
        return op.done();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "audit-group-commit");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(10_000);
        }
        // Whatever is left could not be written: fail it rather than leave callers waiting.
        List<Op> rest = new ArrayList<>();
        queue.drainTo(rest);
        completions.drainTo(rest);
        rest.forEach(op -> op.done().completeExceptionally(new IllegalStateException("audit writer stopped")));
    }

    private void loop() {
        List<Op> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty() || !completions.isEmpty()) {
            try {
                Op first = queue.poll(completions.isEmpty() ? 100 : COMPLETION_LINGER_MS, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, maxBatch - 1);
                }
                completions.drainTo(batch, maxBatch);
                if (!batch.isEmpty()) {
                    write(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("audit writer loop error", e);
                batch.forEach(op -> op.done().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Op> batch) {
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    writeOnce(batch);
                    break;
                } catch (SQLException e) {
                    if (!"23505".equals(e.getSQLState()) || attempt >= MAX_CHAIN_RACES) {
                        throw e;
                    }
                    // Another writer extended the chain from our head (same seq or prev_hash): re-read
                    // the head and try again. Two busy gateways can race more than once in a row.
                    headHash = null;
                }
            }
        } catch (SQLException | RuntimeException e) {
            headHash = null;
            LOG.error("audit write failed ({} operations): {}", batch.size(), e.getMessage());
            onFailure.accept(e);
            batch.forEach(op -> op.done().completeExceptionally(e));
            return;
        }
        batch.forEach(op -> op.done().complete(null));
    }

    /**
     * One round trip per batch: the appends and the completions go in ONE statement (a data-modifying
     * CTE over arrays), run in autocommit, so PostgreSQL commits it (and, with synchronous_commit,
     * flushes the WAL) before it answers. The statement is atomic: either every row of the batch is
     * durable or none is. (Before, a batch took three round trips: INSERT batch, UPDATE batch, COMMIT.)
     */
    private void writeOnce(List<Op> batch) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            long seq = headSeq;
            String hash = headHash;
            try {
                writeIn(c, batch);
            } catch (SQLException | RuntimeException e) {
                headSeq = seq;
                headHash = hash;
                throw e;
            }
        }
    }

    private void writeIn(Connection c, List<Op> batch) throws SQLException {
        List<Append> appends = new ArrayList<>();
        List<Complete> completes = new ArrayList<>();
        for (Op op : batch) {
            if (op instanceof Append a) {
                appends.add(a);
            } else if (op instanceof Complete k) {
                completes.add(k);
            }
        }
        if (!appends.isEmpty() && headHash == null) {
            readHead(c);
        }
        int n = appends.size();
        String[][] ins = new String[14][n];
        long seq = headSeq;
        String prev = headHash;
        for (int i = 0; i < n; i++) {
            Append a = appends.get(i);
            seq++;
            String rowHash = AuditChain.rowHash(prev, a.record());
            ins[0][i] = Long.toString(seq);
            ins[1][i] = a.id().toString();
            ins[2][i] = a.ts().toString();
            ins[3][i] = a.principal();
            ins[4][i] = a.decision();
            ins[5][i] = a.risk();
            ins[6][i] = a.approvalId() == null ? null : a.approvalId().toString();
            ins[7][i] = a.record();
            ins[8][i] = prev;
            ins[9][i] = rowHash;
            ins[10][i] = a.completedAt() == null ? null : a.completedAt().toString();
            ins[11][i] = a.outcome();
            ins[12][i] = a.completion();
            ins[13][i] = a.completion() == null ? null : AuditChain.completionHash(rowHash, a.completion());
            prev = rowHash;
        }
        int m = completes.size();
        String[][] up = new String[5][m];
        for (int i = 0; i < m; i++) {
            Complete k = completes.get(i);
            up[0][i] = k.id().toString();
            up[1][i] = k.outcome();
            up[2][i] = k.completedAt().toString();
            up[3][i] = k.approvalId() == null ? null : k.approvalId().toString();
            up[4][i] = k.completion();
        }
        try (PreparedStatement st = c.prepareStatement(batchSql())) {
            int p = 1;
            for (String[] column : ins) {
                st.setArray(p++, c.createArrayOf("text", column));
            }
            for (String[] column : up) {
                st.setArray(p++, c.createArrayOf("text", column));
            }
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                if (rs.getLong(1) != n) {
                    throw new SQLException("audit batch inserted " + rs.getLong(1) + " of " + n + " rows");
                }
            }
        }
        if (n > 0) {
            headSeq = seq;
            headHash = prev;
        }
    }

    private void readHead(Connection c) throws SQLException {
        headSeq = 0;
        headHash = AuditChain.GENESIS;
        try (PreparedStatement last = c.prepareStatement(
                "SELECT seq, row_hash FROM " + schema.table("audit") + " ORDER BY seq DESC LIMIT 1");
             ResultSet rs = last.executeQuery()) {
            if (rs.next()) {
                headSeq = rs.getLong(1);
                headHash = rs.getString(2);
            }
        }
    }

    /**
     * The batch statement: rows to append (14 text arrays, one per column, in column order) and
     * completions (5 text arrays). completion_hash of a completion is computed by PostgreSQL from the
     * stored row_hash, with the same formula as AuditChain.completionHash (sha256 of row_hash,
     * newline, completion, as UTF-8, hex). The UPDATE sees only rows committed before this statement,
     * which is all a completion can refer to: a request completes only after its append was durable.
     */
    private String batchSql() {
        String audit = schema.table("audit");
        return "WITH appended AS (INSERT INTO " + audit
                + " (seq, id, ts, principal, decision, risk, approval_id, record, prev_hash, row_hash,"
                + " completed_at, outcome, completion, completion_hash)"
                + " SELECT r.seq::bigint, r.id::uuid, r.ts::timestamptz, r.principal, r.decision, r.risk,"
                + " r.approval_id::uuid, r.record, r.prev_hash, r.row_hash, r.completed_at::timestamptz, r.outcome,"
                + " r.completion, r.completion_hash"
                + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
                + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])"
                + " WITH ORDINALITY AS r(seq, id, ts, principal, decision, risk, approval_id, record, prev_hash,"
                + " row_hash, completed_at, outcome, completion, completion_hash, n)"
                + " ORDER BY r.n RETURNING 1),"
                + " completed AS (UPDATE " + audit + " a SET completed_at = k.completed_at::timestamptz,"
                + " outcome = k.outcome, completion = k.completion,"
                + " approval_id = COALESCE(a.approval_id, k.approval_id::uuid),"
                + " completion_hash = encode(sha256(convert_to(a.row_hash || chr(10) || k.completion, 'UTF8')), 'hex')"
                + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[])"
                + " AS k(id, outcome, completed_at, approval_id, completion)"
                + " WHERE a.id = k.id::uuid AND a.completion IS NULL RETURNING 1)"
                + " SELECT (SELECT count(*) FROM appended), (SELECT count(*) FROM completed)";
    }
}
