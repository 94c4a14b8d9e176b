package dev.backstop.testsupport.docker;

import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3Server;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * MinIO in Docker. Image overridable with {@code -Dbackstop.it.minio.image=...}. Compiled here,
 * never run on this CI (no Docker engine).
 */
final class ContainerS3Server implements S3Server {

    static final String IMAGE_PROPERTY = "backstop.it.minio.image";
    private static final String DEFAULT_IMAGE = "minio/minio:RELEASE.2025-04-22T22-12-26Z";

    private final GenericContainer<?> container;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private boolean running;
    private boolean closed;

    private ContainerS3Server(GenericContainer<?> container, int port, String accessKey, String secretKey) {
        this.container = container;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    static ContainerS3Server launch() {
        int port = DockerFixtures.freePort();
        String accessKey = "minio" + UUID.randomUUID().toString().substring(0, 8);
        String secretKey = UUID.randomUUID().toString().replace("-", "");
        GenericContainer<?> container = new GenericContainer<>(System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE))
                .withEnv("MINIO_ROOT_USER", accessKey)
                .withEnv("MINIO_ROOT_PASSWORD", secretKey)
                .withExposedPorts(9000)
                .withCommand("server", "/data")
                .waitingFor(Wait.forHttp("/minio/health/live").forPort(9000)
                        .withStartupTimeout(Duration.ofMinutes(3)));
        container.setPortBindings(List.of(port + ":9000"));
        container.start();
        ContainerS3Server server = new ContainerS3Server(container, port, accessKey, secretKey);
        server.running = true;
        return server;
    }

    @Override
    public URI endpoint() {
        return URI.create("http://" + container.getHost() + ":" + port);
    }

    @Override
    public String accessKey() {
        return accessKey;
    }

    @Override
    public String secretKey() {
        return secretKey;
    }

    @Override
    public S3Endpoint createBucket(String bucket) {
        S3Endpoint endpoint = new S3Endpoint(this, bucket);
        try (var client = endpoint.newClient()) {
            client.createBucket(b -> b.bucket(bucket));
        }
        return endpoint;
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
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("server was closed");
        }
        if (running) {
            return;
        }
        container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
        awaitLive(Duration.ofMinutes(1));
        running = true;
    }

    private void awaitLive(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpURLConnection c = (HttpURLConnection) endpoint().resolve("/minio/health/live").toURL()
                        .openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(1000);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            DockerFixtures.sleep(200);
        }
        throw new IllegalStateException("MinIO container did not come back within " + timeout);
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
        container.stop();
    }
}
