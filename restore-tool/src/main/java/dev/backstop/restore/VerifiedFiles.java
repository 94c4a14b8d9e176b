package dev.backstop.restore;

import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.Sha256;
import dev.backstop.snapshot.parquet.ParquetFiles;
import dev.backstop.snapshot.parquet.TableRebuilder;
import dev.backstop.snapshot.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Local copies of a manifest's files, each downloaded once and checked (size, full SHA-256, Parquet row count)
 * against the manifest before anything reads it. Downloads run in the background, {@link #PARALLEL} at a time, in the
 * order they were started; {@link #localFile} waits for the file asked for and hands out only checked files, so a
 * reader can start on the first file while the next ones are still being checked.
 */
final class VerifiedFiles implements TableRebuilder.FileSource, AutoCloseable {
    /** Files downloaded and checked at once: S3 serves several streams faster than one, SHA-256 uses one core each. */
    static final int PARALLEL = 2;

    /** Thrown by {@link #localFile} when a file (or another one started with it) failed its check. */
    static final class Rejected extends RuntimeException {
        private final List<String> problems;

        Rejected(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        List<String> problems() {
            return problems;
        }
    }

    private final ObjectStore store;
    private final Path dir;
    /** Key -> the check's outcome: the local file, or the problem (exactly one of the two non-null). */
    private final Map<String, CompletableFuture<Checked>> started = new LinkedHashMap<>();
    private ThreadPoolExecutor pool;
    private boolean closed;

    private record Checked(Path file, String problem, long bytes, long doneNanos) {
    }

    VerifiedFiles(ObjectStore store, Path dir) {
        this.store = store;
        this.dir = dir;
    }

    /** Downloads and checks every file of {@code m}; returns the problems (empty = all good). */
    List<String> downloadAll(Manifest m) throws IOException {
        start(m.files());
        return await(m.files());
    }

    /** Starts the download and check of every listed file not started yet, in list order; returns at once. */
    synchronized void start(List<ManifestFile> files) {
        for (ManifestFile f : files) {
            started.computeIfAbsent(f.key(), k -> CompletableFuture.supplyAsync(() -> {
                try {
                    return check(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, pool()));
        }
    }

    /** Waits for the checks of the listed files (started if they were not); returns the problems (empty = all good). */
    List<String> await(List<ManifestFile> files) throws IOException {
        start(files);
        List<String> problems = new ArrayList<>();
        for (ManifestFile f : files) {
            Checked c = outcome(f);
            if (c.problem() != null) {
                problems.add(c.problem());
            }
        }
        return problems;
    }

    private Checked outcome(ManifestFile f) throws IOException {
        CompletableFuture<Checked> future;
        synchronized (this) {
            future = started.get(f.key());
        }
        if (future == null) {
            throw new IllegalStateException("file " + f.key() + " was not verified before reading");
        }
        return join(future);
    }

    /** The check's outcome; a download that failed (the store unavailable, say) throws its own exception. */
    private static Checked join(CompletableFuture<Checked> future) throws IOException {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private synchronized List<CompletableFuture<Checked>> startedSoFar() {
        return new ArrayList<>(started.values());
    }

    private synchronized ExecutorService pool() {
        if (closed) {
            throw new IllegalStateException("verified files already closed");
        }
        if (pool == null) {
            pool = new ThreadPoolExecutor(PARALLEL, PARALLEL, 2, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "backstop-verify");
                t.setDaemon(true);
                return t;
            });
            pool.allowCoreThreadTimeOut(true);
        }
        return pool;
    }

    /**
     * Stops the downloads not started yet and waits for the running ones, so the caller can delete the directory
     * (after a failure, say, while later files were still downloading).
     */
    @Override
    public void close() {
        ThreadPoolExecutor p;
        synchronized (this) {
            closed = true;
            p = pool;
        }
        if (p == null) {
            return;
        }
        p.shutdownNow();
        try {
            if (!p.awaitTermination(2, TimeUnit.MINUTES)) {
                DebugTimings.print("downloads still running after 2 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Checked check(ManifestFile f) throws IOException {
        List<String> missing = f.missingMembers();
        if (!missing.isEmpty()) {
            return failed("file " + f.key() + " is unverified: missing " + String.join(", ", missing));
        }
        Path local = Files.createTempFile(dir, "rp-", ".parquet");
        long t0 = System.nanoTime();
        if (!store.getToFile(f.key(), local)) {
            return failed("file " + f.key() + " is missing from the store");
        }
        long size = Files.size(local);
        if (size != f.bytes()) {
            return failed("file " + f.key() + " has " + size + " bytes, manifest says " + f.bytes());
        }
        long t1 = System.nanoTime();
        String sha = Sha256.hex(local);
        long t2 = System.nanoTime();
        if (!Sha256.constantTimeEquals(sha, f.sha256())) {
            return failed("file " + f.key() + " SHA-256 is " + sha + ", manifest says " + f.sha256());
        }
        long rows = ParquetFiles.rowCount(local);
        DebugTimings.print("%s: download %.3f s, SHA-256 %.3f s, row count %.3f s (%d bytes)", f.key(), (t1 - t0) / 1e9,
                (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9, size);
        if (rows != f.rows()) {
            return failed("file " + f.key() + " has " + rows + " rows, manifest says " + f.rows());
        }
        return new Checked(local, null, size, System.nanoTime());
    }

    private static Checked failed(String problem) {
        return new Checked(null, problem, 0, System.nanoTime());
    }

    /** Bytes of every file checked so far (each counted once). */
    long bytes() {
        long total = 0;
        for (CompletableFuture<Checked> f : startedSoFar()) {
            Checked c = f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
            total += c == null ? 0 : c.bytes();
        }
        return total;
    }

    /** {@link System#nanoTime()} when the last check that has ended ended (0: none yet). */
    long lastCheckedNanos() {
        long last = 0;
        for (CompletableFuture<Checked> f : startedSoFar()) {
            Checked c = f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
            last = c == null ? last : Math.max(last, c.doneNanos());
        }
        return last;
    }

    /**
     * The checked local copy of {@code file}, waiting for its check if it is still running. A failed check (of this
     * file, or of any file whose check has ended) throws {@link Rejected} with the problems of every file started so
     * far (the others are waited for too, so the error names each bad file, as {@link #downloadAll} does).
     */
    @Override
    public Path localFile(ManifestFile file) throws IOException {
        long t0 = System.nanoTime();
        Checked c = outcome(file);
        DebugTimings.print("waited %.3f s for the check of %s", (System.nanoTime() - t0) / 1e9, file.key());
        if (c.problem() != null || anyFailedSoFar()) {
            throw new Rejected(allProblems()); // when a later file already failed: stop loading now
        }
        return c.file();
    }

    private boolean anyFailedSoFar() throws IOException {
        for (CompletableFuture<Checked> f : startedSoFar()) {
            if (f.isDone() && join(f).problem() != null) {
                return true;
            }
        }
        return false;
    }

    private List<String> allProblems() throws IOException {
        List<String> problems = new ArrayList<>();
        for (CompletableFuture<Checked> f : startedSoFar()) {
            Checked c = join(f);
            if (c.problem() != null) {
                problems.add(c.problem());
            }
        }
        return problems;
    }
}
