package dev.backstop.bypass;

import java.time.Instant;

/**
 * A session of an agent role (or a member of one) that is not one of the gateway's registered connections.
 * Everything but the pid may be null: without pg_read_all_stats PostgreSQL hides other roles' details.
 *
 * @param pid             backend process id
 * @param backendStart    when the backend started; with the pid, identifies the session
 * @param loginRole       the role the session logged in as
 * @param agentRole       the configured agent role it is (or is a member of)
 * @param clientAddr      client IP address; null for a Unix-socket connection
 * @param clientPort      client TCP port; -1 for a Unix socket
 * @param applicationName as the client set it (NOT trusted for anything, only reported)
 * @param queryStart      when the current (or last) query started
 * @param state           active, idle, idle in transaction, ...
 * @param backendType     client backend, walsender, parallel worker
 * @param database        database name
 * @param querySha256     hex SHA-256 of the current (or last) query text, computed by PostgreSQL; the text itself
 *                        is never read
 */
public record BypassSession(int pid, Instant backendStart, String loginRole, String agentRole, String clientAddr,
                            Integer clientPort, String applicationName, Instant queryStart, String state,
                            String backendType, String database, String querySha256) {
}
