package dev.backstop.snapshot.store;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link ObjectStore} on AWS SDK v2 (works with AWS S3, MinIO and s3proxy). */
public final class S3ObjectStore implements ObjectStore {
    private final S3Client s3;
    private final String bucket;

    public S3ObjectStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    /** Builds a client from settings: endpoint override, path-style, static credentials when given. */
    public static S3ObjectStore create(S3Settings settings) {
        List<String> problems = settings.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        AwsCredentialsProvider creds = settings.accessKeyId() == null || settings.accessKeyId().isBlank()
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()));
        S3ClientBuilder b = S3Client.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(creds)
                .forcePathStyle(settings.pathStyle())
                // The URL-connection client intermittently fails the first attempt against Jetty-based
                // servers (s3proxy): the SDK's silent retry then turns a conditional PUT into a false
                // 412. The Apache client had no such failures (test-support S3ClientStabilityIT).
                .httpClientBuilder(httpClient(settings.endpoint()))
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(120))
                        .apiCallAttemptTimeout(Duration.ofSeconds(60)));
        if (settings.endpoint() != null && !settings.endpoint().isBlank()) {
            b.endpointOverride(URI.create(settings.endpoint()));
        }
        return new S3ObjectStore(b.build(), settings.bucket());
    }

    private static ApacheHttpClient.Builder httpClient(String endpoint) {
        ApacheHttpClient.Builder http = ApacheHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofSeconds(30));
        // A plain-HTTP endpoint (MinIO in the same network, the demo) never uses TLS: skip setting it up.
        if (endpoint != null && endpoint.startsWith("http://")) {
            http.socketFactory(NoTlsSocketFactory.INSTANCE);
        }
        return http;
    }

    public String bucket() {
        return bucket;
    }

    @Override
    public String put(String key, byte[] data) {
        return doPut(PutObjectRequest.builder().bucket(bucket).key(key), RequestBody.fromBytes(data), key);
    }

    @Override
    public String putFile(String key, Path file) {
        return doPut(PutObjectRequest.builder().bucket(bucket).key(key), RequestBody.fromFile(file), key);
    }

    @Override
    public String putIfAbsent(String key, byte[] data) {
        return doPut(PutObjectRequest.builder().bucket(bucket).key(key).ifNoneMatch("*"),
                RequestBody.fromBytes(data), key);
    }

    @Override
    public String putIfMatch(String key, byte[] data, String expectedEtag) {
        return doPut(PutObjectRequest.builder().bucket(bucket).key(key).ifMatch(quote(expectedEtag)),
                RequestBody.fromBytes(data), key);
    }

    private String doPut(PutObjectRequest.Builder req, RequestBody body, String key) {
        try {
            return unquote(s3.putObject(req.build(), body).eTag());
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                throw new PreconditionFailedException("conditional write of " + key + " lost (" + e.statusCode() + ")");
            }
            throw new ObjectStoreException("S3 put " + key + " failed: " + brief(e), e);
        } catch (SdkException e) {
            throw new ObjectStoreException("S3 put " + key + " failed: " + brief(e), e);
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        try {
            ResponseBytes<GetObjectResponse> r = s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build());
            return Optional.of(r.asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw new ObjectStoreException("S3 get " + key + " failed: " + brief(e), e);
        } catch (SdkException e) {
            throw new ObjectStoreException("S3 get " + key + " failed: " + brief(e), e);
        }
    }

    @Override
    public boolean getToFile(String key, Path target) {
        try (var in = s3.getObject(GetObjectRequest.builder().bucket(bucket).key(key).build())) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw new ObjectStoreException("S3 get " + key + " failed: " + brief(e), e);
        } catch (SdkException | IOException e) {
            throw new ObjectStoreException("S3 get " + key + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<ObjectMeta> head(String key) {
        try {
            HeadObjectResponse r = s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(key).build());
            return Optional.of(new ObjectMeta(key, r.contentLength(), unquote(r.eTag())));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw new ObjectStoreException("S3 head " + key + " failed: " + brief(e), e);
        } catch (SdkException e) {
            throw new ObjectStoreException("S3 head " + key + " failed: " + brief(e), e);
        }
    }

    @Override
    public List<ObjectMeta> list(String prefix) {
        List<ObjectMeta> out = new ArrayList<>();
        String token = null;
        try {
            do {
                ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix);
                if (token != null) {
                    req.continuationToken(token);
                }
                ListObjectsV2Response r = s3.listObjectsV2(req.build());
                for (S3Object o : r.contents()) {
                    out.add(new ObjectMeta(o.key(), o.size(), unquote(o.eTag())));
                }
                token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
            } while (token != null);
        } catch (SdkException e) {
            throw new ObjectStoreException("S3 list " + prefix + " failed: " + brief(e), e);
        }
        out.sort((a, b) -> a.key().compareTo(b.key()));
        return out;
    }

    @Override
    public void delete(String key) {
        try {
            s3.deleteObject(DeleteObjectRequest.builder().bucket(bucket).key(key).build());
        } catch (SdkException e) {
            throw new ObjectStoreException("S3 delete " + key + " failed: " + brief(e), e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    static String unquote(String etag) {
        if (etag == null) {
            return null;
        }
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }

    private static String quote(String etag) {
        return etag.startsWith("\"") ? etag : "\"" + etag + "\"";
    }

    private static String brief(Exception e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : (m.length() > 300 ? m.substring(0, 300) : m);
    }
}
