package dev.backstop.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads policy JSON. Unknown keys, wrong types, unknown risk or operation names are refused with
 * the key named; all problems are reported at once. Keys missing from the file take their defaults.
 */
public final class PolicyLoader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Policy DEFAULTS = build(new Values());

    /** Every accepted key, in documentation order. */
    public static final List<String> KEYS = List.of(
            "require_approval_for_risks", "block_operations", "require_recovery_for_critical",
            "block_unknown_or_parse_failure", "impact_analysis_enabled", "max_write_rows_without_critical",
            "max_write_percent_without_critical", "block_unrecoverable_operations", "max_snapshot_age_seconds",
            "require_sidecar_heartbeat", "max_sidecar_heartbeat_seconds", "require_object_checksum",
            "protected_tables", "protected_columns", "unknown_impact_action", "recovery_groups",
            "foreign_key_grouping_enabled", "cascade_risk_requires_group_readiness",
            "max_blocked_attempts_per_window", "dangerous_retry_window_seconds", "quarantine_duration_seconds",
            "quarantine_blocks_safe_queries", "max_statement_bytes", "approval_ttl_seconds",
            "statement_timeout_ms", "max_result_rows");

    private PolicyLoader() {
    }

    public static Policy defaults() {
        return DEFAULTS;
    }

    public static Policy load(Path file) throws PolicyException {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PolicyException(List.of(new PolicyException.Problem("(file)", "cannot read " + file + ": " + e.getMessage())));
        }
        return parse(json);
    }

    public static Policy parse(String json) throws PolicyException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new PolicyException(List.of(new PolicyException.Problem("(document)",
                    "not valid JSON: " + e.getOriginalMessage())));
        }
        if (root == null || !root.isObject()) {
            throw new PolicyException(List.of(new PolicyException.Problem("(document)", "must be a JSON object")));
        }
        List<PolicyException.Problem> problems = new ArrayList<>();
        Values v = new Values();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            read(e.getKey(), e.getValue(), v, problems);
        }
        if (!problems.isEmpty()) {
            throw new PolicyException(problems);
        }
        return build(v);
    }

    /** Mutable holder of every key's value, starting at the documented defaults. */
    private static final class Values {
        Set<Risk> requireApprovalForRisks = EnumSet.of(Risk.HIGH, Risk.IMPACT_CRITICAL, Risk.CRITICAL);
        Set<String> blockOperations = Set.of("DROP DATABASE", "DROP SCHEMA");
        boolean requireRecoveryForCritical = true;
        boolean blockUnknownOrParseFailure = true;
        boolean impactAnalysisEnabled = true;
        long maxWriteRowsWithoutCritical = 1000;
        double maxWritePercentWithoutCritical = 50;
        boolean blockUnrecoverableOperations = true;
        long maxSnapshotAgeSeconds = 300;
        boolean requireSidecarHeartbeat = true;
        long maxSidecarHeartbeatSeconds = 120;
        boolean requireObjectChecksum = true;
        Set<String> protectedTables = Set.of();
        Map<String, Set<String>> protectedColumns = Map.of();
        Outcome unknownImpactAction = Outcome.APPROVAL_REQUIRED;
        Map<String, List<String>> recoveryGroups = Map.of();
        boolean foreignKeyGroupingEnabled = false;
        boolean cascadeRiskRequiresGroupReadiness = false;
        long maxBlockedAttemptsPerWindow = 3;
        long dangerousRetryWindowSeconds = 600;
        long quarantineDurationSeconds = 1800;
        boolean quarantineBlocksSafeQueries = false;
        long maxStatementBytes = 1L << 20;
        long approvalTtlSeconds = 3600;
        long statementTimeoutMs = 30000;
        long maxResultRows = 10000;
    }

    private static void read(String key, JsonNode n, Values v, List<PolicyException.Problem> p) {
        switch (key) {
            case "require_approval_for_risks" -> {
                Set<String> names = strings(key, n, p);
                if (names != null) {
                    Set<Risk> risks = EnumSet.noneOf(Risk.class);
                    for (String s : names) {
                        try {
                            risks.add(Risk.valueOf(s.trim().toUpperCase(Locale.ROOT)));
                        } catch (IllegalArgumentException e) {
                            p.add(new PolicyException.Problem(key, "unknown risk '" + s + "' (known: SAFE, LOW, MEDIUM, HIGH, IMPACT_CRITICAL, CRITICAL)"));
                        }
                    }
                    v.requireApprovalForRisks = risks;
                }
            }
            case "block_operations" -> {
                Set<String> names = strings(key, n, p);
                if (names != null) {
                    Set<String> ops = new LinkedHashSet<>();
                    for (String s : names) {
                        String c = Operations.canonical(s);
                        if (Operations.isKnown(c)) {
                            ops.add(c);
                        } else {
                            p.add(new PolicyException.Problem(key, "unknown operation '" + s + "'"));
                        }
                    }
                    v.blockOperations = ops;
                }
            }
            case "require_recovery_for_critical" -> v.requireRecoveryForCritical = bool(key, n, p, v.requireRecoveryForCritical);
            case "block_unknown_or_parse_failure" -> v.blockUnknownOrParseFailure = bool(key, n, p, v.blockUnknownOrParseFailure);
            case "impact_analysis_enabled" -> v.impactAnalysisEnabled = bool(key, n, p, v.impactAnalysisEnabled);
            case "max_write_rows_without_critical" -> v.maxWriteRowsWithoutCritical = count(key, n, p, v.maxWriteRowsWithoutCritical, 0);
            case "max_write_percent_without_critical" -> {
                if (!n.isNumber()) {
                    p.add(new PolicyException.Problem(key, "must be a number from 0 to 100"));
                } else if (n.asDouble() < 0 || n.asDouble() > 100) {
                    p.add(new PolicyException.Problem(key, "must be from 0 to 100, got " + n.asText()));
                } else {
                    v.maxWritePercentWithoutCritical = n.asDouble();
                }
            }
            case "block_unrecoverable_operations" -> v.blockUnrecoverableOperations = bool(key, n, p, v.blockUnrecoverableOperations);
            case "max_snapshot_age_seconds" -> v.maxSnapshotAgeSeconds = count(key, n, p, v.maxSnapshotAgeSeconds, 1);
            case "require_sidecar_heartbeat" -> v.requireSidecarHeartbeat = bool(key, n, p, v.requireSidecarHeartbeat);
            case "max_sidecar_heartbeat_seconds" -> v.maxSidecarHeartbeatSeconds = count(key, n, p, v.maxSidecarHeartbeatSeconds, 1);
            case "require_object_checksum" -> v.requireObjectChecksum = bool(key, n, p, v.requireObjectChecksum);
            case "protected_tables" -> {
                Set<String> names = strings(key, n, p);
                if (names != null) {
                    Set<String> q = new TreeSet<>();
                    for (String s : names) {
                        q.add(qualify(key, s, p));
                    }
                    v.protectedTables = q;
                }
            }
            case "protected_columns" -> {
                if (!n.isObject()) {
                    p.add(new PolicyException.Problem(key, "must be an object {table: [columns]}"));
                } else {
                    Map<String, Set<String>> m = new TreeMap<>();
                    Iterator<Map.Entry<String, JsonNode>> it = n.fields();
                    while (it.hasNext()) {
                        Map.Entry<String, JsonNode> e = it.next();
                        Set<String> cols = strings(key + "." + e.getKey(), e.getValue(), p);
                        if (cols != null) {
                            Set<String> folded = new TreeSet<>();
                            for (String c : cols) {
                                folded.add(c.trim().toLowerCase(Locale.ROOT));
                            }
                            m.put(qualify(key, e.getKey(), p), Set.copyOf(folded));
                        }
                    }
                    v.protectedColumns = m;
                }
            }
            case "unknown_impact_action" -> {
                String s = n.isTextual() ? n.asText() : null;
                if ("approve".equals(s)) {
                    v.unknownImpactAction = Outcome.APPROVAL_REQUIRED;
                } else if ("block".equals(s)) {
                    v.unknownImpactAction = Outcome.BLOCK;
                } else if ("execute".equals(s)) {
                    v.unknownImpactAction = Outcome.EXECUTE;
                } else {
                    p.add(new PolicyException.Problem(key, "must be one of \"approve\", \"block\", \"execute\""));
                }
            }
            case "recovery_groups" -> {
                if (!n.isObject()) {
                    p.add(new PolicyException.Problem(key, "must be an object {group: [tables]}"));
                } else {
                    Map<String, List<String>> m = new TreeMap<>();
                    Iterator<Map.Entry<String, JsonNode>> it = n.fields();
                    while (it.hasNext()) {
                        Map.Entry<String, JsonNode> e = it.next();
                        Set<String> tables = strings(key + "." + e.getKey(), e.getValue(), p);
                        if (tables != null) {
                            if (tables.isEmpty()) {
                                p.add(new PolicyException.Problem(key + "." + e.getKey(), "a recovery group needs at least one table"));
                            }
                            Set<String> q = new TreeSet<>();
                            for (String t : tables) {
                                q.add(qualify(key + "." + e.getKey(), t, p));
                            }
                            m.put(e.getKey(), List.copyOf(q));
                        }
                    }
                    v.recoveryGroups = m;
                }
            }
            case "foreign_key_grouping_enabled" -> v.foreignKeyGroupingEnabled = bool(key, n, p, v.foreignKeyGroupingEnabled);
            case "cascade_risk_requires_group_readiness" ->
                    v.cascadeRiskRequiresGroupReadiness = bool(key, n, p, v.cascadeRiskRequiresGroupReadiness);
            case "max_blocked_attempts_per_window" -> v.maxBlockedAttemptsPerWindow = count(key, n, p, v.maxBlockedAttemptsPerWindow, 1);
            case "dangerous_retry_window_seconds" -> v.dangerousRetryWindowSeconds = count(key, n, p, v.dangerousRetryWindowSeconds, 1);
            case "quarantine_duration_seconds" -> v.quarantineDurationSeconds = count(key, n, p, v.quarantineDurationSeconds, 0);
            case "quarantine_blocks_safe_queries" -> v.quarantineBlocksSafeQueries = bool(key, n, p, v.quarantineBlocksSafeQueries);
            case "max_statement_bytes" -> v.maxStatementBytes = count(key, n, p, v.maxStatementBytes, 1);
            case "approval_ttl_seconds" -> v.approvalTtlSeconds = count(key, n, p, v.approvalTtlSeconds, 1);
            case "statement_timeout_ms" -> v.statementTimeoutMs = count(key, n, p, v.statementTimeoutMs, 1);
            case "max_result_rows" -> v.maxResultRows = count(key, n, p, v.maxResultRows, 1);
            default -> p.add(new PolicyException.Problem(key, "unknown key"));
        }
    }

    /** A table name from a policy file: "t" means public.t; names are kept as written. */
    static String qualify(String name) {
        String t = name.trim();
        return t.indexOf('.') >= 0 ? t : "public." + t;
    }

    /**
     * The same, refusing SQL's quoted-identifier syntax: policy names are plain text compared with the tables a
     * statement names, so a quoted entry would silently protect nothing.
     */
    static String qualify(String key, String name, List<PolicyException.Problem> p) {
        String t = name.trim();
        if (t.startsWith("\"") || t.contains(".\"")) {
            p.add(new PolicyException.Problem(key, "'" + t + "': write table names without quotes, exactly as"
                    + " stored (a name with a dot is written plainly: ops.v2.orders matches both \"ops.v2\".orders and"
                    + " ops.\"v2.orders\")"));
        }
        return qualify(t);
    }

    private static boolean bool(String key, JsonNode n, List<PolicyException.Problem> p, boolean dflt) {
        if (!n.isBoolean()) {
            p.add(new PolicyException.Problem(key, "must be true or false"));
            return dflt;
        }
        return n.asBoolean();
    }

    private static long count(String key, JsonNode n, List<PolicyException.Problem> p, long dflt, long min) {
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            p.add(new PolicyException.Problem(key, "must be a whole number"));
            return dflt;
        }
        long v = n.asLong();
        if (v < min) {
            p.add(new PolicyException.Problem(key, "must be >= " + min + ", got " + v));
            return dflt;
        }
        return v;
    }

    private static Set<String> strings(String key, JsonNode n, List<PolicyException.Problem> p) {
        if (!n.isArray()) {
            p.add(new PolicyException.Problem(key, "must be an array of strings"));
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        boolean ok = true;
        for (JsonNode e : n) {
            if (!e.isTextual() || e.asText().isBlank()) {
                p.add(new PolicyException.Problem(key, "must contain only non-empty strings, found " + e));
                ok = false;
            } else {
                out.add(e.asText());
            }
        }
        return ok ? out : null;
    }

    private static Policy build(Values v) {
        Policy unversioned = new Policy(v.requireApprovalForRisks, v.blockOperations, v.requireRecoveryForCritical,
                v.blockUnknownOrParseFailure, v.impactAnalysisEnabled, v.maxWriteRowsWithoutCritical,
                v.maxWritePercentWithoutCritical, v.blockUnrecoverableOperations, v.maxSnapshotAgeSeconds,
                v.requireSidecarHeartbeat, v.maxSidecarHeartbeatSeconds, v.requireObjectChecksum, v.protectedTables,
                v.protectedColumns, v.unknownImpactAction, v.recoveryGroups, v.foreignKeyGroupingEnabled,
                v.cascadeRiskRequiresGroupReadiness, (int) Math.min(Integer.MAX_VALUE, v.maxBlockedAttemptsPerWindow),
                v.dangerousRetryWindowSeconds, v.quarantineDurationSeconds, v.quarantineBlocksSafeQueries,
                v.maxStatementBytes, v.approvalTtlSeconds, v.statementTimeoutMs, v.maxResultRows, "");
        String canonical = canonicalJson(unversioned);
        return new Policy(unversioned.requireApprovalForRisks(), unversioned.blockOperations(),
                v.requireRecoveryForCritical, v.blockUnknownOrParseFailure, v.impactAnalysisEnabled,
                v.maxWriteRowsWithoutCritical, v.maxWritePercentWithoutCritical, v.blockUnrecoverableOperations,
                v.maxSnapshotAgeSeconds, v.requireSidecarHeartbeat, v.maxSidecarHeartbeatSeconds,
                v.requireObjectChecksum, v.protectedTables, v.protectedColumns, v.unknownImpactAction,
                v.recoveryGroups, v.foreignKeyGroupingEnabled, v.cascadeRiskRequiresGroupReadiness,
                unversioned.maxBlockedAttemptsPerWindow(), v.dangerousRetryWindowSeconds, v.quarantineDurationSeconds,
                v.quarantineBlocksSafeQueries, v.maxStatementBytes, v.approvalTtlSeconds, v.statementTimeoutMs,
                v.maxResultRows, "sha256:" + sha256(canonical));
    }

    /** The effective policy as JSON with keys in {@link #KEYS} order and sets sorted: the hashed form. */
    public static String canonicalJson(Policy p) {
        ObjectNode o = JSON.createObjectNode();
        var risks = o.putArray("require_approval_for_risks");
        new TreeSet<>(p.requireApprovalForRisks()).forEach(r -> risks.add(r.name()));
        var ops = o.putArray("block_operations");
        new TreeSet<>(p.blockOperations()).forEach(ops::add);
        o.put("require_recovery_for_critical", p.requireRecoveryForCritical());
        o.put("block_unknown_or_parse_failure", p.blockUnknownOrParseFailure());
        o.put("impact_analysis_enabled", p.impactAnalysisEnabled());
        o.put("max_write_rows_without_critical", p.maxWriteRowsWithoutCritical());
        o.put("max_write_percent_without_critical", p.maxWritePercentWithoutCritical());
        o.put("block_unrecoverable_operations", p.blockUnrecoverableOperations());
        o.put("max_snapshot_age_seconds", p.maxSnapshotAgeSeconds());
        o.put("require_sidecar_heartbeat", p.requireSidecarHeartbeat());
        o.put("max_sidecar_heartbeat_seconds", p.maxSidecarHeartbeatSeconds());
        o.put("require_object_checksum", p.requireObjectChecksum());
        var pt = o.putArray("protected_tables");
        new TreeSet<>(p.protectedTables()).forEach(pt::add);
        var pc = o.putObject("protected_columns");
        new TreeMap<>(p.protectedColumns()).forEach((t, cols) -> {
            var a = pc.putArray(t);
            new TreeSet<>(cols).forEach(a::add);
        });
        o.put("unknown_impact_action", switch (p.unknownImpactAction()) {
            case APPROVAL_REQUIRED -> "approve";
            case BLOCK -> "block";
            case EXECUTE -> "execute";
        });
        var rg = o.putObject("recovery_groups");
        new TreeMap<>(p.recoveryGroups()).forEach((g, tables) -> {
            var a = rg.putArray(g);
            new TreeSet<>(tables).forEach(a::add);
        });
        o.put("foreign_key_grouping_enabled", p.foreignKeyGroupingEnabled());
        o.put("cascade_risk_requires_group_readiness", p.cascadeRiskRequiresGroupReadiness());
        o.put("max_blocked_attempts_per_window", p.maxBlockedAttemptsPerWindow());
        o.put("dangerous_retry_window_seconds", p.dangerousRetryWindowSeconds());
        o.put("quarantine_duration_seconds", p.quarantineDurationSeconds());
        o.put("quarantine_blocks_safe_queries", p.quarantineBlocksSafeQueries());
        o.put("max_statement_bytes", p.maxStatementBytes());
        o.put("approval_ttl_seconds", p.approvalTtlSeconds());
        o.put("statement_timeout_ms", p.statementTimeoutMs());
        o.put("max_result_rows", p.maxResultRows());
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
