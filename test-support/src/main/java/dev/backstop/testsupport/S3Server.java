package dev.backstop.testsupport;

import java.net.URI;

/**
 * A running S3-compatible HTTP server for integration tests.
 *
 * <p>Two implementations: {@link EmbeddedS3Server} (in-process s3proxy, the default) and, with
 * {@code -Dbackstop.it.docker=true} and a Docker engine, MinIO through Testcontainers.
 */
public interface S3Server extends AutoCloseable {

    /** Region clients must sign for. */
    String REGION = "us-east-1";

    /** {@code http://127.0.0.1:port}; stays the same across {@link #stop()} / {@link #start()}. */
    URI endpoint();

    String accessKey();

    String secretKey();

    default String region() {
        return REGION;
    }

    /** Creates a bucket and returns an endpoint bound to it. */
    S3Endpoint createBucket(String bucket);

    /** Simulates an outage: the port stops answering (connection refused). Data is kept. */
    void stop();

    /** Ends an outage: same port, same data. No-op if running. */
    void start();

    boolean isRunning();

    default void restart() {
        stop();
        start();
    }

    /** Stops for good and discards the data. Idempotent. */
    @Override
    void close();

    /** Starts a server for the caller alone (the caller must close it). */
    static S3Server startDedicated() {
        return FixtureMode.current().startS3();
    }
}
