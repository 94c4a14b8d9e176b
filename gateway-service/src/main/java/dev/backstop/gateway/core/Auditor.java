package dev.backstop.gateway.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.MapperFeature;
import dev.backstop.gateway.db.AuditWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes exactly one audit record per authenticated request. {@link #begin} returns only once the
 * record is committed (group commit); if it cannot be, it throws {@link AuditUnavailableException}
 * and the caller must not execute anything. {@link #complete} records what happened afterwards.
 */
public final class Auditor {
    private static final Logger LOG = LoggerFactory.getLogger(Auditor.class);
    private static final long DURABLE_WAIT_SECONDS = 10;

    /** Canonical JSON: snake_case keys, alphabetical, maps sorted, no timestamps as numbers. */
    static final ObjectMapper CANONICAL = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private final AuditWriter writer;
    private final Clock clock;
    private final Runnable onFailure;

    public Auditor(AuditWriter writer, Clock clock, Runnable onFailure) {
        this.writer = writer;
        this.clock = clock;
        this.onFailure = onFailure;
    }

    public Clock clock() {
        return clock;
    }

    /** Writes the before-execution record and waits until it is durable. Claims the request's audit. */
    public void begin(RequestContext ctx, AuditEntry entry) {
        if (!ctx.claimAudit()) {
            throw new IllegalStateException("request already audited: " + ctx.requestId());
        }
        await(writer.append(UUID.fromString(entry.id()), Instant.parse(entry.ts()), entry.principal(),
                entry.decision(), entry.risk(), entry.approvalId() == null ? null : UUID.fromString(entry.approvalId()),
                json(entry), null, null, null));
    }

    /** Records the outcome of a begun request. Does not wait: execution already happened. */
    public void complete(String auditId, AuditCompletion completion) {
        writer.complete(UUID.fromString(auditId), completion.outcome(), Instant.parse(completion.completedAt()),
                        completion.approvalId() == null ? null : UUID.fromString(completion.approvalId()),
                        json(completion))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        onFailure.run();
                        LOG.error("audit completion of {} not written: {}", auditId, e.getMessage());
                    }
                });
    }

    /** Writes a complete one-step record (requests that execute nothing) and waits until durable. */
    public void record(RequestContext ctx, AuditEntry entry, AuditCompletion completion) {
        if (!ctx.claimAudit()) {
            return;
        }
        await(writer.append(UUID.fromString(entry.id()), Instant.parse(entry.ts()), entry.principal(),
                entry.decision(), entry.risk(), entry.approvalId() == null ? null : UUID.fromString(entry.approvalId()),
                json(entry), completion.outcome(), Instant.parse(completion.completedAt()), json(completion)));
    }

    /** The minimal entry of a request: who, from where, what endpoint. */
    public AuditEntry.Builder entry(RequestContext ctx) {
        return AuditEntry.builder(UUID.randomUUID().toString(), clock.instant().toString(), ctx);
    }

    public String now() {
        return clock.instant().toString();
    }

    private void await(java.util.concurrent.CompletableFuture<Void> f) {
        try {
            f.get(DURABLE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            onFailure.run();
            throw new AuditUnavailableException(e);
        } catch (ExecutionException | TimeoutException e) {
            onFailure.run();
            throw new AuditUnavailableException(e);
        }
    }

    static String json(Object o) {
        try {
            return CANONICAL.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
