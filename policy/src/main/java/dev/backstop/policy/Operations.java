package dev.backstop.policy;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** The canonical operation names the classifier reports (docs/policy.md lists them). */
public final class Operations {
    /** Fixed names; CREATE/ALTER/DROP are followed by an object type, see {@link #isKnown}. */
    public static final Set<String> FIXED = Set.of(
            "SELECT", "VALUES", "TABLE", "SELECT INTO", "SHOW", "EXPLAIN", "EXPLAIN ANALYZE",
            "INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "COPY", "DO", "CALL",
            "GRANT", "REVOKE", "COMMENT", "SECURITY LABEL", "SET", "RESET", "TRANSACTION",
            "PREPARE", "EXECUTE", "DEALLOCATE", "VACUUM", "VACUUM FULL", "ANALYZE", "LOCK", "REINDEX",
            "CLUSTER", "CHECKPOINT", "REFRESH MATERIALIZED VIEW", "REASSIGN OWNED", "IMPORT FOREIGN SCHEMA",
            "DISCARD", "LISTEN", "UNLISTEN", "NOTIFY", "DECLARE", "FETCH", "MOVE", "CLOSE", "LOAD",
            "ALTER SYSTEM", "CREATE TABLE AS", "PARSE_FAILURE", "UNKNOWN", "EMPTY");
    private static final Pattern DDL = Pattern.compile("(CREATE|ALTER|DROP) [A-Z]+( [A-Z]+){0,2}");

    private Operations() {
    }

    /** Upper-case, single-spaced form of a name from a policy file. */
    public static String canonical(String name) {
        return name.trim().replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
    }

    public static boolean isKnown(String canonicalName) {
        return FIXED.contains(canonicalName) || DDL.matcher(canonicalName).matches();
    }
}
