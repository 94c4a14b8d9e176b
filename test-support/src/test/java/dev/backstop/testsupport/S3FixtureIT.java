package dev.backstop.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

@ExtendWith(S3ServerExtension.class)
class S3FixtureIT {

    private static S3Endpoint s3;
    private static S3Client client;

    @BeforeAll
    static void connect(S3Endpoint endpoint) {
        s3 = endpoint;
        client = endpoint.newClient();
    }

    @AfterAll
    static void close() {
        client.close();
    }

    private static PutObjectResponse put(String key, String body) {
        return client.putObject(b -> b.bucket(s3.bucket()).key(key), RequestBody.fromString(body));
    }

    private static String get(String key) {
        return client.getObjectAsBytes(b -> b.bucket(s3.bucket()).key(key)).asString(StandardCharsets.UTF_8);
    }

    @Test
    void endpointLooksLikeProductionConfiguration() {
        assertEquals("http", s3.endpoint().getScheme());
        assertEquals("127.0.0.1", s3.endpoint().getHost());
        assertEquals("us-east-1", s3.region());
        assertTrue(s3.bucket().startsWith("t-s3fixtureit-"), s3.bucket());
        assertEquals(EmbeddedS3Server.class, s3.server().getClass());
    }

    @Test
    void putGetListHeadDelete() {
        PutObjectResponse written = put("dir/a.txt", "hello");
        put("dir/b.txt", "world!");
        put("other/c.txt", "x");

        assertEquals("hello", get("dir/a.txt"));
        List<String> keys = client.listObjectsV2(b -> b.bucket(s3.bucket()).prefix("dir/")).contents().stream()
                .map(S3Object::key).toList();
        assertEquals(List.of("dir/a.txt", "dir/b.txt"), keys);

        HeadObjectResponse head = client.headObject(b -> b.bucket(s3.bucket()).key("dir/b.txt"));
        assertEquals(6L, head.contentLength());
        assertEquals(written.eTag(), client.headObject(b -> b.bucket(s3.bucket()).key("dir/a.txt")).eTag());
        // s3proxy's ETag for a single-part upload is the quoted hex MD5, as on AWS.
        assertEquals("\"5d41402abc4b2a76b9719d911017c592\"", written.eTag());

        client.deleteObject(b -> b.bucket(s3.bucket()).key("dir/a.txt"));
        assertThrows(NoSuchKeyException.class, () -> client.headObject(b -> b.bucket(s3.bucket()).key("dir/a.txt")));
        assertThrows(NoSuchKeyException.class, () -> get("dir/a.txt"));
    }

    @Test
    void ifNoneMatchStarCreatesOnlyOnce() {
        client.putObject(b -> b.bucket(s3.bucket()).key("once").ifNoneMatch("*"), RequestBody.fromString("first"));
        S3Exception conflict = assertThrows(S3Exception.class, () -> client.putObject(
                b -> b.bucket(s3.bucket()).key("once").ifNoneMatch("*"), RequestBody.fromString("second")));
        assertEquals(412, conflict.statusCode());
        assertEquals("PreconditionFailed", conflict.awsErrorDetails().errorCode());
        assertEquals("first", get("once"));
    }

    @Test
    void ifMatchReplacesOnlyTheExpectedVersion() {
        String etag = put("pointer", "v1").eTag();

        S3Exception stale = assertThrows(S3Exception.class, () -> client.putObject(
                b -> b.bucket(s3.bucket()).key("pointer").ifMatch("\"00000000000000000000000000000000\""),
                RequestBody.fromString("lost update")));
        assertEquals(412, stale.statusCode());
        assertEquals("v1", get("pointer"));

        String etag2 = client.putObject(b -> b.bucket(s3.bucket()).key("pointer").ifMatch(etag),
                RequestBody.fromString("v2")).eTag();
        assertNotEquals(etag, etag2);
        assertEquals("v2", get("pointer"));

        // The old ETag is now stale too.
        S3Exception again = assertThrows(S3Exception.class, () -> client.putObject(
                b -> b.bucket(s3.bucket()).key("pointer").ifMatch(etag), RequestBody.fromString("v3")));
        assertEquals(412, again.statusCode());
        assertEquals("v2", get("pointer"));
    }

    @Test
    void ifMatchOnAMissingKeyIsRefused() {
        S3Exception missing = assertThrows(S3Exception.class, () -> client.putObject(
                b -> b.bucket(s3.bucket()).key("never-written").ifMatch("\"5d41402abc4b2a76b9719d911017c592\""),
                RequestBody.fromString("x")));
        assertEquals(404, missing.statusCode());
        assertThrows(NoSuchKeyException.class, () -> get("never-written"));
    }
}
