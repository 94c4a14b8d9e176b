package dev.backstop.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.Constants;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/**
 * s3proxy in this JVM over HTTP on 127.0.0.1, with AWS signature v2/v4 authentication and an
 * in-memory store. The store outlives the HTTP server, so {@link #stop()} + {@link #start()}
 * simulates an outage with the data kept; {@link #close()} discards everything.
 */
public final class EmbeddedS3Server implements S3Server {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3Server.class);
    private static final String HOST = "127.0.0.1";

    private final BlobStore blobStore;
    private final String accessKey;
    private final String secretKey;
    private S3Proxy proxy;
    private int port;
    private boolean closed;

    private EmbeddedS3Server(BlobStore blobStore, String accessKey, String secretKey) {
        this.blobStore = blobStore;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** Starts a new server with random credentials on a free port. */
    public static EmbeddedS3Server launch() {
        String accessKey = "AK" + UUID.randomUUID().toString().replace("-", "").substring(0, 18).toUpperCase();
        String secretKey = UUID.randomUUID().toString().replace("-", "") + "x";
        Properties props = new Properties();
        props.setProperty(Constants.PROPERTY_IDENTITY, accessKey);
        props.setProperty(Constants.PROPERTY_CREDENTIAL, secretKey);
        EmbeddedS3Server server = new EmbeddedS3Server(BlobStores.create("transient", props), accessKey, secretKey);
        server.listen(0);
        return server;
    }

    /**
     * Starts a server on {@code port} whose objects are files under {@code directory} (kept across
     * restarts), with the given credentials: for the demo.
     */
    public static EmbeddedS3Server launchOnDisk(Path directory, int port, String accessKey, String secretKey) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.setProperty(Constants.PROPERTY_IDENTITY, accessKey);
        props.setProperty(Constants.PROPERTY_CREDENTIAL, secretKey);
        props.setProperty("jclouds.filesystem.basedir", directory.toAbsolutePath().toString());
        EmbeddedS3Server server = new EmbeddedS3Server(BlobStores.create("filesystem", props), accessKey, secretKey);
        server.listen(port);
        return server;
    }

    private void listen(int requestedPort) {
        long t0 = System.nanoTime();
        S3Proxy next = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://" + HOST + ":" + requestedPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                // No graceful drain: an outage should begin at once.
                .stopTimeout(0)
                .build();
        try {
            next.start();
            while (!"STARTED".equals(next.getState())) {
                if ("FAILED".equals(next.getState())) {
                    throw new IllegalStateException("s3proxy failed to start on port " + requestedPort);
                }
                AbstractPgServer.sleep(5);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start s3proxy on port " + requestedPort + ": " + e, e);
        }
        proxy = next;
        port = next.getPort();
        LOG.info("s3proxy up on port {} in {} ms", port, (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public synchronized URI endpoint() {
        return URI.create("http://" + HOST + ":" + port);
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
            client.createBucket(CreateBucketRequest.builder().bucket(bucket).build());
        }
        return endpoint;
    }

    @Override
    public synchronized void stop() {
        if (proxy == null) {
            return;
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop s3proxy: " + e, e);
        } finally {
            proxy = null;
        }
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("server was closed");
        }
        if (proxy == null) {
            listen(port);
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return proxy != null;
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
            try {
                blobStore.close();
            } catch (Exception e) {
                LOG.warn("could not close blob store: " + e);
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedS3Server[" + endpoint() + "]";
    }
}
