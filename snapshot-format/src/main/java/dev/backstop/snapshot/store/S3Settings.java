package dev.backstop.snapshot.store;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code snapshots:} section of config.yml (keys: endpoint, region, bucket, prefix, pathStyle, accessKeyId,
 * secretAccessKey). An empty endpoint means the AWS default for the region; empty credentials mean the SDK's default
 * provider chain.
 */
public record S3Settings(String endpoint, String region, String bucket, String prefix, boolean pathStyle,
                         String accessKeyId, String secretAccessKey) {

    /** Every problem at once; empty when valid. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (bucket == null || bucket.isBlank()) {
            p.add("snapshots.bucket is required");
        }
        if (region == null || region.isBlank()) {
            p.add("snapshots.region is required");
        }
        if (endpoint != null && !endpoint.isBlank() && !(endpoint.startsWith("http://") || endpoint.startsWith("https://"))) {
            p.add("snapshots.endpoint must start with http:// or https://");
        }
        boolean hasKey = accessKeyId != null && !accessKeyId.isBlank();
        boolean hasSecret = secretAccessKey != null && !secretAccessKey.isBlank();
        if (hasKey != hasSecret) {
            p.add("snapshots.accessKeyId and snapshots.secretAccessKey must be set together");
        }
        return p;
    }

    @Override
    public String toString() {
        // Never print the secret.
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
                + ", pathStyle=" + pathStyle + "]";
    }
}
