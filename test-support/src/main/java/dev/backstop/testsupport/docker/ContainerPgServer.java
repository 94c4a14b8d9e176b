package dev.backstop.testsupport.docker;

import dev.backstop.testsupport.AbstractPgServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/**
 * PostgreSQL in Docker (official image) with the same settings as the embedded server. Image
 * overridable with {@code -Dbackstop.it.postgres.image=...}. Compiled here, never run on this CI
 * (no Docker engine).
 */
final class ContainerPgServer extends AbstractPgServer {

    static final String IMAGE_PROPERTY = "backstop.it.postgres.image";
    private static final String DEFAULT_IMAGE = "postgres:17";
    private static final String PASSWORD = "postgres";
    private static final String HBA_PATH = "/etc/postgresql/backstop_hba.conf";
    /** Connections arrive from the Docker bridge, not localhost: passwords for everyone, replication too. */
    private static final String HBA = String.join("\n",
            "local   all          all                trust",
            "host    all          all        all     scram-sha-256",
            "host    replication  all        all     scram-sha-256",
            "");

    private final GenericContainer<?> container;
    private final int port;
    private boolean running;
    private boolean closed;

    private ContainerPgServer(GenericContainer<?> container, int port) {
        this.container = container;
        this.port = port;
    }

    static ContainerPgServer launch() {
        int port = DockerFixtures.freePort();
        List<String> command = new ArrayList<>(List.of("postgres", "-c", "hba_file=" + HBA_PATH));
        for (String[] setting : SERVER_SETTINGS) {
            command.add("-c");
            command.add(setting[0] + "=" + setting[1]);
        }
        GenericContainer<?> container = new GenericContainer<>(System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE))
                .withEnv("POSTGRES_PASSWORD", PASSWORD)
                .withExposedPorts(5432)
                .withCopyToContainer(Transferable.of(HBA), HBA_PATH)
                .withCommand(command.toArray(String[]::new))
                // The entrypoint starts a temporary server first: wait for the second "ready".
                .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*", 2)
                        .withStartupTimeout(Duration.ofMinutes(3)));
        container.setPortBindings(List.of(port + ":5432"));
        container.start();
        ContainerPgServer server = new ContainerPgServer(container, port);
        server.running = true;
        return server;
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String superuser() {
        return "postgres";
    }

    @Override
    public String superuserPassword() {
        return PASSWORD;
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        container.getDockerClient().stopContainerCmd(container.getContainerId()).exec();
        running = false;
    }

    @Override
    public synchronized void crash() {
        if (!running) {
            return;
        }
        container.getDockerClient().killContainerCmd(container.getContainerId()).withSignal("KILL").exec();
        running = false;
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("server was closed");
        }
        if (running) {
            return;
        }
        container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
        awaitConnections(Duration.ofMinutes(1));
        running = true;
    }

    private void awaitConnections(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            try (Connection c = adminConnection()) {
                return;
            } catch (SQLException e) {
                last = e;
                DockerFixtures.sleep(200);
            }
        }
        throw new IllegalStateException("PostgreSQL container did not come back within " + timeout, last);
    }

    @Override
    public synchronized boolean isRunning() {
        return running;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        container.stop(); // also removes the container and its data
    }
}
