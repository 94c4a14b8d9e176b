package dev.backstop.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.stream.Stream;

/**
 * PostgreSQL from the zonky binaries jar (no apt, no Docker; works as root).
 *
 * <p>The data directory is ours (a temp dir), so {@link #stop()} + {@link #start()} restarts the same
 * cluster on the same port. {@link #close()} stops it and deletes the directory; zonky's shutdown hook
 * also stops the postmaster if the JVM exits without closing it.
 */
public final class EmbeddedPgServer extends AbstractPgServer {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPgServer.class);
    private static final String SUPERUSER = "postgres";

    /**
     * The superuser is trusted from localhost (fixtures and the test itself connect as it); every
     * other role must present its password, as in production, also for replication connections.
     */
    private static final String PG_HBA = String.join("\n",
            "# written by backstop test-support",
            "local   all          postgres                 trust",
            "host    all          postgres   127.0.0.1/32  trust",
            "host    all          postgres   ::1/128       trust",
            "host    replication  postgres   127.0.0.1/32  trust",
            "host    replication  postgres   ::1/128       trust",
            "local   all          all                      scram-sha-256",
            "host    all          all        127.0.0.1/32  scram-sha-256",
            "host    all          all        ::1/128       scram-sha-256",
            "host    replication  all        127.0.0.1/32  scram-sha-256",
            "host    replication  all        ::1/128       scram-sha-256",
            "");

    private static final Duration DEFAULT_STARTUP_WAIT = Duration.ofSeconds(60);

    private final Path dataDirectory;
    private final boolean keepData;
    private Duration startupWait = DEFAULT_STARTUP_WAIT;
    private int port;
    private EmbeddedPostgres postgres;
    private boolean closed;

    private EmbeddedPgServer(Path dataDirectory, boolean keepData) {
        this.dataDirectory = dataDirectory;
        this.keepData = keepData;
    }

    /**
     * Starts (creating it on first use) a cluster whose data lives in {@code dataDirectory} and is
     * kept by {@link #close()}: for the demo, which keeps its database across restarts.
     */
    public static EmbeddedPgServer launchPersistent(Path dataDirectory, int port) {
        return launchPersistent(dataDirectory, port, DEFAULT_STARTUP_WAIT);
    }

    /** As {@link #launchPersistent(Path, int)}, giving up after {@code startupWait} (tests of a failed start). */
    static EmbeddedPgServer launchPersistent(Path dataDirectory, int port, Duration startupWait) {
        try {
            Files.createDirectories(dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EmbeddedPgServer server = new EmbeddedPgServer(dataDirectory, true);
        server.startupWait = startupWait;
        server.startPostmaster(port);
        return server;
    }

    /** Starts a new cluster on a free port. */
    public static EmbeddedPgServer launch() {
        Path dir;
        try {
            dir = Files.createTempDirectory("backstop-pg-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EmbeddedPgServer server = new EmbeddedPgServer(dir, false);
        try {
            server.startPostmaster(0);
        } catch (RuntimeException e) {
            server.deleteDataDirectory();
            throw e;
        }
        return server;
    }

    private void startPostmaster(int requestedPort) {
        long t0 = System.nanoTime();
        if (requestedPort > 0) {
            refuseBusyPort(requestedPort);
        }
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setDataDirectoryCustomizer(EmbeddedPgServer::writeHba)
                .setPGStartupWait(startupWait);
        for (String[] setting : SERVER_SETTINGS) {
            builder.setServerConfig(setting[0], setting[1]);
        }
        if (requestedPort > 0) {
            builder.setPort(requestedPort);
        }
        Path log = keepData ? serverLog() : null;
        if (log != null) {
            // A kept cluster (the demo's) keeps its server's own output next to its data, so a start that fails
            // can be explained: zonky only says that the server did not answer.
            ProcessBuilder.Redirect append = ProcessBuilder.Redirect.appendTo(log.toFile());
            builder.setOutputRedirector(append).setErrorRedirector(append);
        }
        try {
            postgres = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL" + (log == null ? ""
                    : " (its log, " + log + ", ends with:\n" + tail(log, 15) + ")"), e);
        }
        port = postgres.getPort();
        LOG.info("embedded PostgreSQL up on port {} in {} ms", port, (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * zonky takes any server answering on the port for the one it started: with another PostgreSQL there, the caller
     * would silently use that one. Checked first, with the reason said.
     */
    private static void refuseBusyPort(int port) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL: port " + port + " on 127.0.0.1 is in use"
                    + " (another PostgreSQL, or an earlier run still up?): " + e.getMessage(), e);
        }
    }

    /** Where a kept cluster's server output goes: beside its data directory (initdb wants that one empty). */
    Path serverLog() {
        return dataDirectory.resolveSibling(dataDirectory.getFileName() + ".log");
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static void writeHba(File dataDir) {
        try {
            Files.writeString(dataDir.toPath().resolve("pg_hba.conf"), PG_HBA, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pg_hba.conf", e);
        }
    }

    @Override
    public String host() {
        return "localhost";
    }

    @Override
    public synchronized int port() {
        return port;
    }

    @Override
    public String superuser() {
        return SUPERUSER;
    }

    @Override
    public String superuserPassword() {
        return "postgres";
    }

    @Override
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop embedded PostgreSQL", e);
        } finally {
            postgres = null;
        }
    }

    @Override
    public synchronized void crash() {
        if (postgres == null) {
            return;
        }
        ProcessHandle postmaster = postmasterProcess();
        List<ProcessHandle> children = postmaster.descendants().toList();
        postmaster.destroyForcibly();
        // Backends notice the postmaster's death and exit; a new postmaster refuses to start while
        // any of them still holds the old shared memory, so wait for all of them.
        awaitExit(postmaster);
        children.forEach(EmbeddedPgServer::awaitExit);
        LOG.info("crashed PostgreSQL on port {}; zonky will now log that it could not stop the killed postmaster", port);
        try {
            postgres.close(); // releases zonky's lock; its pg_ctl stop finds nothing to stop
        } catch (IOException e) {
            LOG.debug("closing after crash: {}", e.toString());
        } finally {
            postgres = null;
        }
    }

    private ProcessHandle postmasterProcess() {
        try {
            String first = Files.readAllLines(dataDirectory.resolve("postmaster.pid"), StandardCharsets.UTF_8).get(0);
            long pid = Long.parseLong(first.trim());
            return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("postmaster " + pid + " not running"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read postmaster.pid", e);
        }
    }

    private static void awaitExit(ProcessHandle process) {
        try {
            process.onExit().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("PostgreSQL process " + process.pid() + " did not exit", e);
        }
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("server was closed");
        }
        if (postgres == null) {
            startPostmaster(port);
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return postgres != null;
    }

    /** Directory of the cluster's data (to inspect logs or files in a test). */
    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            if (!keepData) {
                deleteDataDirectory();
            }
        }
    }

    private void deleteDataDirectory() {
        try (Stream<Path> paths = Files.walk(dataDirectory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete " + dataDirectory + ": " + e.getMessage());
        }
    }
}
