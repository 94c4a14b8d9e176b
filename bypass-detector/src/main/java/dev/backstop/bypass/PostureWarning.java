package dev.backstop.bypass;

import java.util.List;

/**
 * A failed preventive check: a configuration that makes a bypass possible or hard to see. Warnings are
 * listed in the posture but do not degrade it (see README.md for why).
 *
 * @param check   stable code, one of {@link #CHECKS}
 * @param role    the role concerned (null for detector checks)
 * @param message for people
 */
public record PostureWarning(String check, String role, String message) {
    public static final String AGENT_ROLE_MISSING = "agent_role_missing";
    public static final String AGENT_ROLE_CAN_LOGIN = "agent_role_can_login";
    public static final String AGENT_ROLE_SUPERUSER = "agent_role_superuser";
    public static final String AGENT_ROLE_REPLICATION = "agent_role_replication";
    public static final String AGENT_ROLE_BYPASSRLS = "agent_role_bypassrls";
    public static final String AGENT_ROLE_OWNS_PROTECTED_TABLES = "agent_role_owns_protected_tables";
    public static final String AGENT_ROLE_CAN_WRITE_STATE = "agent_role_can_write_state_schema";
    public static final String DETECTOR_LACKS_READ_ALL_STATS = "detector_lacks_read_all_stats";

    /** Every check, in the order they are reported. */
    public static final List<String> CHECKS = List.of(AGENT_ROLE_MISSING, AGENT_ROLE_CAN_LOGIN, AGENT_ROLE_SUPERUSER,
            AGENT_ROLE_REPLICATION, AGENT_ROLE_BYPASSRLS, AGENT_ROLE_OWNS_PROTECTED_TABLES, AGENT_ROLE_CAN_WRITE_STATE,
            DETECTOR_LACKS_READ_ALL_STATS);
}
