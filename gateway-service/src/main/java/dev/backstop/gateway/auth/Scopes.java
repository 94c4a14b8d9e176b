package dev.backstop.gateway.auth;

/** The scope names (the original Backstop's) each endpoint requires. */
public final class Scopes {
    public static final String QUERY_EXECUTE = "query:execute";
    public static final String QUERY_ANALYZE = "query:analyze";
    public static final String APPROVAL_READ = "approval:read";
    public static final String APPROVAL_WRITE = "approval:write";
    public static final String METADATA_READ = "metadata:read";
    public static final String METRICS_READ = "metrics:read";
    public static final String ADMIN_PAUSE = "admin:pause";
    public static final String ADMIN_POSTURE = "admin:posture";
    public static final String AUDIT_READ = "admin:audit";

    private Scopes() {
    }
}
