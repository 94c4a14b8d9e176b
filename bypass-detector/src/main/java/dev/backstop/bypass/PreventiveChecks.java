package dev.backstop.bypass;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Role checks that find a bypass waiting to happen (run at start and periodically):
 * <ul>
 *   <li>a configured agent role does not exist (a typo would make detection watch nothing);</li>
 *   <li>a configured agent role can log in (rolcanlogin). Members of agent roles are not flagged for LOGIN,
 *       since a login role that is granted the agent role is the normal way to set one up; their sessions
 *       are what the detector watches;</li>
 *   <li>an agent role or a member of one is superuser, has REPLICATION or BYPASSRLS;</li>
 *   <li>an agent role or a member owns tables in a protected schema (an owner can drop or alter them
 *       whatever the grants say);</li>
 *   <li>an agent role or a member may write gateway_backends or bypass_events (it could register its own
 *       session as the gateway's, or erase its traces);</li>
 *   <li>the detector's own role cannot read every session's details (pg_read_all_stats): other roles'
 *       backend_start is then hidden and gateway sessions cannot be told apart.</li>
 * </ul>
 */
final class PreventiveChecks {
    private static final String AGENTS = """
            WITH RECURSIVE agent(oid, agent_role) AS (
                SELECT r.oid, r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname = ANY (?)
              UNION
                SELECT m.member, a.agent_role FROM pg_catalog.pg_auth_members m JOIN agent a ON m.roleid = a.oid
            )
            """;

    private final List<String> agentRoles;
    private final List<String> protectedSchemas;
    private final String backendsTable;
    private final String eventsTable;
    private final int timeoutSeconds;

    PreventiveChecks(BypassDetectorSettings settings) {
        this.agentRoles = settings.agentRoles();
        this.protectedSchemas = settings.protectedSchemas();
        this.backendsTable = SqlIdentifiers.table(settings.stateSchema(), "gateway_backends");
        this.eventsTable = SqlIdentifiers.table(settings.stateSchema(), "bypass_events");
        this.timeoutSeconds = (int) Math.max(1, settings.queryTimeout().toSeconds());
    }

    List<PostureWarning> run(Connection c) throws SQLException {
        List<PostureWarning> out = new ArrayList<>();
        roleAttributes(c, out);
        ownedTables(c, out);
        stateWriters(c, out);
        detectorPrivilege(c, out);
        out.sort((a, b) -> {
            int byCheck = Integer.compare(PostureWarning.CHECKS.indexOf(a.check()),
                    PostureWarning.CHECKS.indexOf(b.check()));
            return byCheck != 0 ? byCheck : String.valueOf(a.role()).compareTo(String.valueOf(b.role()));
        });
        return out;
    }

    private void roleAttributes(Connection c, List<PostureWarning> out) throws SQLException {
        Set<String> found = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement(AGENTS + """
                SELECT DISTINCT r.rolname, r.rolname = ANY (?) AS configured, r.rolcanlogin, r.rolsuper,
                       r.rolreplication, r.rolbypassrls
                FROM agent a JOIN pg_catalog.pg_roles r ON r.oid = a.oid
                ORDER BY r.rolname
                """)) {
            ps.setQueryTimeout(timeoutSeconds);
            Array roles = c.createArrayOf("text", agentRoles.toArray());
            ps.setArray(1, roles);
            ps.setArray(2, roles);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String role = rs.getString(1);
                    boolean configured = rs.getBoolean(2);
                    String who = configured ? "agent role " + role : "role " + role + " (member of an agent role)";
                    if (configured) {
                        found.add(role);
                        if (rs.getBoolean(3)) {
                            out.add(new PostureWarning(PostureWarning.AGENT_ROLE_CAN_LOGIN, role,
                                    "agent role " + role + " can log in directly (ALTER ROLE ... NOLOGIN)"));
                        }
                    }
                    if (rs.getBoolean(4)) {
                        out.add(new PostureWarning(PostureWarning.AGENT_ROLE_SUPERUSER, role,
                                who + " is a superuser"));
                    }
                    if (rs.getBoolean(5)) {
                        out.add(new PostureWarning(PostureWarning.AGENT_ROLE_REPLICATION, role,
                                who + " has REPLICATION"));
                    }
                    if (rs.getBoolean(6)) {
                        out.add(new PostureWarning(PostureWarning.AGENT_ROLE_BYPASSRLS, role,
                                who + " has BYPASSRLS"));
                    }
                }
            }
        }
        for (String role : agentRoles) {
            if (!found.contains(role)) {
                out.add(new PostureWarning(PostureWarning.AGENT_ROLE_MISSING, role,
                        "agent role " + role + " does not exist: nothing is watched for it"));
            }
        }
    }

    private void ownedTables(Connection c, List<PostureWarning> out) throws SQLException {
        if (protectedSchemas.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(AGENTS + """
                SELECT r.rolname, count(*)
                FROM pg_catalog.pg_class t
                JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
                JOIN pg_catalog.pg_roles r ON r.oid = t.relowner
                WHERE t.relkind IN ('r', 'p') AND n.nspname = ANY (?)
                  AND t.relowner IN (SELECT oid FROM agent)
                GROUP BY r.rolname ORDER BY r.rolname
                """)) {
            ps.setQueryTimeout(timeoutSeconds);
            ps.setArray(1, c.createArrayOf("text", agentRoles.toArray()));
            ps.setArray(2, c.createArrayOf("text", protectedSchemas.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PostureWarning(PostureWarning.AGENT_ROLE_OWNS_PROTECTED_TABLES, rs.getString(1),
                            "role " + rs.getString(1) + " owns " + rs.getLong(2) + " table(s) in schemas "
                                    + protectedSchemas + " (owners can drop them whatever the grants)"));
                }
            }
        }
    }

    private void stateWriters(Connection c, List<PostureWarning> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(AGENTS + """
                SELECT DISTINCT r.rolname
                FROM agent a JOIN pg_catalog.pg_roles r ON r.oid = a.oid
                WHERE (to_regclass(?) IS NOT NULL
                       AND has_table_privilege(a.oid, to_regclass(?), 'INSERT, UPDATE, DELETE, TRUNCATE'))
                   OR (to_regclass(?) IS NOT NULL
                       AND has_table_privilege(a.oid, to_regclass(?), 'INSERT, UPDATE, DELETE, TRUNCATE'))
                ORDER BY r.rolname
                """)) {
            ps.setQueryTimeout(timeoutSeconds);
            ps.setArray(1, c.createArrayOf("text", agentRoles.toArray()));
            ps.setString(2, backendsTable);
            ps.setString(3, backendsTable);
            ps.setString(4, eventsTable);
            ps.setString(5, eventsTable);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PostureWarning(PostureWarning.AGENT_ROLE_CAN_WRITE_STATE, rs.getString(1),
                            "role " + rs.getString(1) + " can modify " + backendsTable + " or " + eventsTable
                                    + ": it could hide its own sessions"));
                }
            }
        }
    }

    private void detectorPrivilege(Connection c, List<PostureWarning> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT r.rolsuper OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'), current_user"
                        + " FROM pg_catalog.pg_roles r WHERE r.rolname = current_user")) {
            ps.setQueryTimeout(timeoutSeconds);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && !rs.getBoolean(1)) {
                    out.add(new PostureWarning(PostureWarning.DETECTOR_LACKS_READ_ALL_STATS, null,
                            "the detector's role " + rs.getString(2) + " is not a member of pg_read_all_stats:"
                                    + " other roles' sessions show no backend_start, so every agent-role session"
                                    + " is reported (GRANT pg_read_all_stats TO " + rs.getString(2) + ")"));
                }
            }
        }
    }
}
