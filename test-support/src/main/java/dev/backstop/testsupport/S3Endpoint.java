package dev.backstop.testsupport;

import java.net.URI;
import java.util.Objects;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * A bucket on an {@link S3Server}, with what a client needs to reach it: the same settings as the
 * {@code snapshots} section of config.yml (endpoint, region, bucket, pathStyle, access key, secret).
 */
public final class S3Endpoint {

    private final S3Server server;
    private final String bucket;

    public S3Endpoint(S3Server server, String bucket) {
        this.server = Objects.requireNonNull(server, "server");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
    }

    public S3Server server() {
        return server;
    }

    /** {@code http://127.0.0.1:port} (path-style addressing: the bucket goes in the path). */
    public URI endpoint() {
        return server.endpoint();
    }

    public String bucket() {
        return bucket;
    }

    public String region() {
        return server.region();
    }

    public String accessKey() {
        return server.accessKey();
    }

    public String secretKey() {
        return server.secretKey();
    }

    /**
     * A new AWS SDK v2 client as production builds one for S3/MinIO: endpoint override, path-style,
     * static credentials, region. HTTP goes through the SDK's Apache client: the JDK URL-connection
     * client loses PUT bodies against s3proxy (README.md, "Known problem"). The caller closes it.
     */
    public S3Client newClient() {
        return newClient(b -> { });
    }

    /** As {@link #newClient()}, letting the test adjust the builder (e.g. timeouts, retries). */
    public S3Client newClient(Consumer<S3ClientBuilder> customizer) {
        S3ClientBuilder builder = S3Client.builder()
                .endpointOverride(endpoint())
                .region(Region.of(region()))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(accessKey(), secretKey())))
                .httpClient(ApacheHttpClient.create());
        customizer.accept(builder);
        return builder.build();
    }

    @Override
    public String toString() {
        return "S3Endpoint[" + endpoint() + "/" + bucket + "]";
    }
}
