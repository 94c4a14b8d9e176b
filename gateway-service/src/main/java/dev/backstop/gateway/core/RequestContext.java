package dev.backstop.gateway.core;

import dev.backstop.gateway.auth.Principal;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One authenticated HTTP request. It carries the guarantee "exactly one audit record": whoever
 * writes the record first claims it with {@link #claimAudit()}; the response filter audits any
 * request nobody claimed.
 */
public final class RequestContext {
    public static final String ATTRIBUTE = "dev.backstop.gateway.request";

    private final UUID requestId = UUID.randomUUID();
    private final Principal principal;
    private final String clientAddress;
    private final String method;
    private final String path;
    private final Instant receivedAt;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean auditClaimed = new AtomicBoolean();
    private volatile ErrorCode errorCode;

    public RequestContext(Principal principal, String clientAddress, String method, String path, Instant receivedAt) {
        this.principal = principal;
        this.clientAddress = clientAddress;
        this.method = method;
        this.path = path;
        this.receivedAt = receivedAt;
    }

    public UUID requestId() { return requestId; }
    public Principal principal() { return principal; }
    public String clientAddress() { return clientAddress; }
    public String method() { return method; }
    public String path() { return path; }
    public Instant receivedAt() { return receivedAt; }

    public double elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000.0;
    }

    /** True for the first caller only. */
    public boolean claimAudit() {
        return auditClaimed.compareAndSet(false, true);
    }

    public boolean auditClaimed() {
        return auditClaimed.get();
    }

    public ErrorCode errorCode() { return errorCode; }

    public void errorCode(ErrorCode code) { this.errorCode = code; }
}
