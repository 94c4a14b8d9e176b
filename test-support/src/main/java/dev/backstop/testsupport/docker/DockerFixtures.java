package dev.backstop.testsupport.docker;

import dev.backstop.testsupport.FixtureMode;
import dev.backstop.testsupport.PgServer;
import dev.backstop.testsupport.S3Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import org.testcontainers.DockerClientFactory;

/**
 * Entry point of the Testcontainers fixtures, instantiated reflectively by {@link FixtureMode} so
 * that nothing else in test-support links against Testcontainers.
 */
public final class DockerFixtures implements FixtureMode.ContainerFixtures {

    @Override
    public boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public PgServer startPostgres() {
        return ContainerPgServer.launch();
    }

    @Override
    public S3Server startS3() {
        return ContainerS3Server.launch();
    }

    /**
     * A free host port, bound explicitly so a container keeps it across docker stop/start
     * (a random mapping could change, and the fixtures promise a stable endpoint).
     */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
