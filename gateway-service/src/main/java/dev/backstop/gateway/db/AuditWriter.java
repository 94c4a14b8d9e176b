package dev.backstop.gateway.db;

import dev.backstop.gateway.core.AuditChain;
import io.dropwizard.lifecycle.Managed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
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
 * same head fail, and the batch is retried from the re-read head, so several gateway processes keep
 * one chain. After its first such race a writer knows it shares the chain: from then on each batch
 * takes a transaction-level advisory lock and reads the head under it, so writers take turns instead
 * of racing (under load, optimistic retries alone could lose {@link #MAX_CHAIN_RACES} times in a row).
 * Completions are written together with the next batch of appends (or alone when none arrive within
 * {@link #COMPLETION_LINGER_MS}), so a request costs about one shared commit, not two.
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
                    CompletableFuture<Void> done, int attempts) implements Op {
        Complete(UUID id, String outcome, Instant completedAt, UUID approvalId, String completion,
                 CompletableFuture<Void> done) {
            this(id, outcome, completedAt, approvalId, completion, done, 1);
        }

        Complete again() {
            return new Complete(id, outcome, completedAt, approvalId, completion, done, attempts + 1);
        }
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
    /**
     * Completions whose batch failed (state database blip, a chain race lost too often, another
     * request's bad row): written again in batches of their own, so one that keeps failing cannot
     * fail anybody's append, every {@link #RETRY_EVERY_MS} for up to {@link #MAX_COMPLETION_ATTEMPTS}
     * attempts. A completion that is never written leaves its record "begun": the statement's outcome
     * (and commit LSN) is then only in the logs.
     */
    private final List<Complete> retries = new ArrayList<>();
    static final int MAX_COMPLETION_ATTEMPTS = 300;
    static final long RETRY_EVERY_MS = 200;
    private long lastRetry;
    /**
     * Advisory lock key ('backstop' in ASCII) that writers sharing a chain take in turn. Part of the chain's contract
     * (docs/api.md "Audit"): the restore tool's drill records (restore-tool AuditAppend) take the same key.
     */
    static final long CHAIN_LOCK = 0x6261636b73746f70L;
    /** Set after the first chain race: other writers append to this chain too. */
    private boolean shared;
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
        rest.addAll(retries);
        retries.clear();
        rest.forEach(op -> op.done().completeExceptionally(new IllegalStateException("audit writer stopped")));
    }

    private void loop() {
        List<Op> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty() || !completions.isEmpty() || !retries.isEmpty()) {
            try {
                Op first = queue.poll(completions.isEmpty() ? 100 : COMPLETION_LINGER_MS, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, maxBatch - 1);
                }
                completions.drainTo(batch, maxBatch);
                if (!batch.isEmpty()) {
                    write(batch);
                    batch.clear();
                }
                if (!retries.isEmpty() && System.currentTimeMillis() - lastRetry >= RETRY_EVERY_MS) {
                    lastRetry = System.currentTimeMillis();
                    batch.addAll(retries);
                    retries.clear();
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
                    // Another writer extended the chain from our head (same seq or prev_hash): from now on
                    // take turns with it (lock, then read the head), and try again.
                    headHash = null;
                    shared = true;
                }
            }
        } catch (SQLException | RuntimeException e) {
            headHash = null;
            LOG.error("audit write failed ({} operations): {}", batch.size(), e.getMessage());
            onFailure.accept(e);
            for (Op op : batch) {
                if (op instanceof Complete c && c.attempts() < MAX_COMPLETION_ATTEMPTS && running) {
                    retries.add(c.again()); // the statement may have run: its outcome must reach the audit
                } else {
                    if (op instanceof Complete c) {
                        LOG.error("audit completion of {} ({}) could not be written after {} attempts", c.id(),
                                c.outcome(), c.attempts());
                    }
                    op.done().completeExceptionally(e);
                }
            }
            return;
        }
        batch.forEach(op -> op.done().complete(null));
    }

    private void writeOnce(List<Op> batch) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            long seq = headSeq;
            String hash = headHash;
            try {
                if (shared) {
                    try (Statement lock = c.createStatement()) {
                        lock.execute("SELECT pg_advisory_xact_lock(" + CHAIN_LOCK + ")"); // a constant, no input
                    }
                    headHash = null; // others may have appended since our last batch
                }
                writeIn(c, batch);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                headSeq = seq;
                headHash = hash;
                rollbackQuietly(c);
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
        if (!appends.isEmpty()) {
            writeAppends(c, appends);
        }
        if (!completes.isEmpty()) {
            writeCompletes(c, completes);
        }
    }

    private void writeAppends(Connection c, List<Append> appends) throws SQLException {
        if (headHash == null) {
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
        long seq = headSeq;
        String prev = headHash;
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + schema.table("audit")
                + " (seq, id, ts, principal, decision, risk, approval_id, record, prev_hash, row_hash,"
                + " completed_at, outcome, completion, completion_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            for (Append a : appends) {
                seq++;
                String rowHash = AuditChain.rowHash(prev, a.record());
                ins.setLong(1, seq);
                ins.setObject(2, a.id());
                ins.setTimestamp(3, Timestamp.from(a.ts()));
                ins.setString(4, a.principal());
                ins.setString(5, a.decision());
                ins.setString(6, a.risk());
                ins.setObject(7, a.approvalId());
                ins.setString(8, a.record());
                ins.setString(9, prev);
                ins.setString(10, rowHash);
                ins.setTimestamp(11, a.completedAt() == null ? null : Timestamp.from(a.completedAt()));
                ins.setString(12, a.outcome());
                ins.setString(13, a.completion());
                ins.setString(14, a.completion() == null ? null : AuditChain.completionHash(rowHash, a.completion()));
                ins.addBatch();
                prev = rowHash;
            }
            ins.executeBatch();
        }
        headSeq = seq;
        headHash = prev;
    }

    private void writeCompletes(Connection c, List<Complete> completes) throws SQLException {
        // completion_hash is computed by PostgreSQL from the stored row_hash, with the same formula
        // as AuditChain.completionHash (sha256 of row_hash, newline, completion, as UTF-8, hex).
        try (PreparedStatement up = c.prepareStatement("UPDATE " + schema.table("audit")
                + " SET completed_at = ?, outcome = ?, completion = ?, approval_id = COALESCE(approval_id, ?),"
                + " completion_hash = encode(sha256(convert_to(row_hash || chr(10) || ?, 'UTF8')), 'hex')"
                + " WHERE id = ? AND completion IS NULL")) {
            for (Complete k : completes) {
                up.setTimestamp(1, Timestamp.from(k.completedAt()));
                up.setString(2, k.outcome());
                up.setString(3, k.completion());
                up.setObject(4, k.approvalId());
                up.setString(5, k.completion());
                up.setObject(6, k.id());
                up.addBatch();
            }
            int[] updated = up.executeBatch();
            for (int i = 0; i < updated.length && i < completes.size(); i++) {
                Complete k = completes.get(i);
                if (updated[i] == 0 && k.attempts() > 1) {
                    // Written again after a failed batch, but another completion of the record got there first.
                    LOG.error("audit completion of {} ({}) came too late: the record already has a completion", k.id(),
                            k.outcome());
                }
            }
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool will discard it
        }
    }
}
