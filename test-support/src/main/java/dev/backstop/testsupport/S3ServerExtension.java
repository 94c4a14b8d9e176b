package dev.backstop.testsupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * JUnit 5 extension: an S3-compatible HTTP server started once per test run and stopped when the
 * run ends, and a fresh bucket for each test class (emptied and deleted after it).
 *
 * <p>Injects {@link S3Endpoint} (endpoint, bucket, keys, {@code newClient()}) and {@link S3Server}
 * (to {@code stop()}/{@code start()} it and simulate an outage). Annotate the class with
 * {@link DedicatedS3Server} to get a server of its own.
 */
public final class S3ServerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final Logger LOG = LoggerFactory.getLogger(S3ServerExtension.class);
    private static final ClassFixtures<S3Server, S3Endpoint> FIXTURES = new ClassFixtures<>(
            S3ServerExtension.class, S3Server.class, DedicatedS3Server.class,
            () -> FixtureMode.current().startS3());

    @Override
    public void beforeAll(ExtensionContext context) {
        endpoint(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        S3Endpoint endpoint = FIXTURES.ownedResource(context, S3Endpoint.class);
        if (endpoint == null) {
            return;
        }
        try {
            endpoint.server().start(); // the class may have ended in an outage
            deleteBucket(endpoint);
        } catch (RuntimeException e) {
            LOG.warn("could not delete test bucket " + endpoint.bucket() + ": " + e.getMessage());
        }
    }

    private static void deleteBucket(S3Endpoint endpoint) {
        try (var client = endpoint.newClient()) {
            for (S3Object o : client.listObjectsV2Paginator(b -> b.bucket(endpoint.bucket())).contents()) {
                client.deleteObject(DeleteObjectRequest.builder().bucket(endpoint.bucket()).key(o.key()).build());
            }
            client.deleteBucket(b -> b.bucket(endpoint.bucket()));
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == S3Endpoint.class || type == S3Server.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        S3Endpoint endpoint = endpoint(context);
        return parameter.getParameter().getType() == S3Server.class ? endpoint.server() : endpoint;
    }

    /** The bucket of the test class running in {@code context} (created on first use). */
    public static S3Endpoint endpoint(ExtensionContext context) {
        return FIXTURES.resource(context, S3Endpoint.class, server -> {
            server.start(); // a previous class may have left the shared server stopped
            String bucket = SqlNames.unique(
                    ClassFixtures.classContext(context).getRequiredTestClass().getSimpleName(), '-', 63);
            return server.createBucket(bucket);
        });
    }
}
