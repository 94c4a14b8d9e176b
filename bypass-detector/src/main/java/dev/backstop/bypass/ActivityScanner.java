package dev.backstop.bypass;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads pg_stat_activity for sessions of agent roles that are not the gateway's.
 *
 * <p>Role membership is followed through pg_auth_members recursively (a role created with
 * {@code IN ROLE agent} counts as the agent role). A session is the gateway's when its
 * (pid, backend_start) is in gateway_backends; a parallel worker is not reported separately: its leader
 * is (or is not) a bypass. The pair cannot be
 * chosen by a client: the pid is assigned by the postmaster and backend_start is the server's clock at
 * fork. application_name, which any client can set, plays no part. The query text never leaves
 * PostgreSQL: only its SHA-256 is read. Cluster-wide: a direct session to another database of the
 * same server is a bypass too.
 */
final class ActivityScanner {
    private final String sql;
    private final List<String> agentRoles;
    private final int timeoutSeconds;

    ActivityScanner(BypassDetectorSettings settings) {
        this.agentRoles = settings.agentRoles();
        this.timeoutSeconds = (int) Math.max(1, settings.queryTimeout().toSeconds());
        String backends = SqlIdentifiers.table(settings.stateSchema(), "gateway_backends");
        this.sql = """
                WITH RECURSIVE agent(oid, agent_role) AS (
                    SELECT r.oid, r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname = ANY (?)
                  UNION
                    SELECT m.member, a.agent_role FROM pg_catalog.pg_auth_members m JOIN agent a ON m.roleid = a.oid
                ), agent_one AS (
                    SELECT DISTINCT ON (oid) oid, agent_role FROM agent ORDER BY oid, agent_role
                )
                SELECT s.pid, s.backend_start, s.usename, g.agent_role, host(s.client_addr), s.client_port,
                       s.application_name, s.query_start, s.state, s.backend_type, s.datname,
                       CASE WHEN s.query IS NULL OR s.query = '' OR s.query = '<insufficient privilege>' THEN NULL
                            ELSE encode(sha256(convert_to(s.query, 'UTF8')), 'hex') END
                FROM pg_catalog.pg_stat_activity s
                JOIN agent_one g ON g.oid = s.usesysid
                LEFT JOIN pg_catalog.pg_stat_activity l ON s.leader_pid IS NOT NULL AND s.leader_pid <> s.pid
                                                     AND l.pid = s.leader_pid
                WHERE s.pid <> pg_backend_pid()
                  AND s.leader_pid IS DISTINCT FROM pg_backend_pid()
                  -- a parallel worker is judged by its leader, which is listed (and judged) itself; a worker
                  -- whose leader is already gone cannot be matched and is reported (fail closed, transient)
                  AND (s.leader_pid IS NULL OR s.leader_pid = s.pid OR l.pid IS NULL)
                  AND NOT EXISTS (
                      SELECT 1 FROM %s b WHERE b.backend_pid = s.pid AND b.backend_start = s.backend_start)
                ORDER BY s.pid
                """.formatted(backends);
    }

    List<BypassSession> scan(Connection c) throws SQLException {
        List<BypassSession> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(timeoutSeconds);
            Array roles = c.createArrayOf("text", agentRoles.toArray());
            ps.setArray(1, roles);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new BypassSession(rs.getInt(1), instant(rs, 2), rs.getString(3), rs.getString(4),
                            rs.getString(5), (Integer) rs.getObject(6), rs.getString(7), instant(rs, 8),
                            rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12)));
                }
            }
        }
        return out;
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
