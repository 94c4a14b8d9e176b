package dev.backstop.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The shared {@code snapshots:} section (S3-compatible store of recovery points), read by the
 * gateway's recovery gate. An empty bucket means "no snapshot store": every gated operation is then
 * blocked ({@code recovery_gate_unavailable}) while the policy requires recovery for CRITICAL.
 */
public class SnapshotStoreConfig {
    private String endpoint = "";
    private String region = "us-east-1";
    private String bucket = "";
    private String prefix = "";
    private boolean pathStyle = true;
    private String accessKeyId = "";
    private String secretAccessKey = "";

    public boolean configured() {
        return !bucket.isBlank();
    }

    public dev.backstop.snapshot.store.S3Settings toS3Settings() {
        return new dev.backstop.snapshot.store.S3Settings(endpoint, region, bucket, prefix, pathStyle, accessKeyId,
                secretAccessKey);
    }

    @JsonProperty public String getEndpoint() { return endpoint; }
    @JsonProperty public void setEndpoint(String v) { this.endpoint = v == null ? "" : v; }
    @JsonProperty public String getRegion() { return region; }
    @JsonProperty public void setRegion(String v) { this.region = v == null ? "" : v; }
    @JsonProperty public String getBucket() { return bucket; }
    @JsonProperty public void setBucket(String v) { this.bucket = v == null ? "" : v; }
    @JsonProperty public String getPrefix() { return prefix; }
    @JsonProperty public void setPrefix(String v) { this.prefix = v == null ? "" : v; }
    @JsonProperty public boolean isPathStyle() { return pathStyle; }
    @JsonProperty public void setPathStyle(boolean v) { this.pathStyle = v; }
    @JsonProperty public String getAccessKeyId() { return accessKeyId; }
    @JsonProperty public void setAccessKeyId(String v) { this.accessKeyId = v == null ? "" : v; }
    @JsonProperty public String getSecretAccessKey() { return secretAccessKey; }
    @JsonProperty public void setSecretAccessKey(String v) { this.secretAccessKey = v == null ? "" : v; }
}
