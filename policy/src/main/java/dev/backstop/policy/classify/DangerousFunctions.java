package dev.backstop.policy.classify;

import dev.backstop.policy.Risk;
import dev.backstop.policy.sql.Token;
import dev.backstop.policy.sql.TokenKind;

import java.util.List;
import java.util.Set;

/**
 * Functions whose mere call is a side effect outside the data model (sessions, server files, SQL
 * text executed elsewhere, sequences, replication, WAL, advisory locks). Found by tokens: a name
 * (unquoted, quoted or schema-qualified) directly followed by "(", anywhere in the statement,
 * including subqueries, CTEs and defaults. Names inside strings or comments are not calls.
 * nextval is deliberately not listed: it only burns a sequence value, and SAFE statements run in a
 * READ ONLY transaction where it fails anyway. Documented in docs/policy.md.
 */
public final class DangerousFunctions {
    /** Calls that break the CDC stream the recovery points depend on: CRITICAL. */
    static final Set<String> CRITICAL_NAMES = Set.of(
            "pg_drop_replication_slot", "pg_replication_slot_advance",
            "pg_logical_slot_get_changes", "pg_logical_slot_get_binary_changes");

    static final Set<String> HIGH_NAMES = Set.of(
            "pg_terminate_backend", "pg_cancel_backend", "set_config", "pg_reload_conf",
            "pg_read_file", "pg_read_binary_file", "pg_stat_file", "pg_file_write", "pg_file_rename",
            "pg_file_unlink", "pg_file_sync", "pg_logdir_ls",
            "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema",
            "cursor_to_xml", "cursor_to_xmlschema", "ts_stat", "ts_rewrite",
            "setval", "pg_switch_wal", "pg_switch_xlog", "pg_promote", "pg_wal_replay_pause",
            "pg_wal_replay_resume", "pg_start_backup", "pg_stop_backup", "pg_backup_start",
            "pg_backup_stop", "pg_rotate_logfile", "pg_log_backend_memory_contexts",
            "pg_logical_slot_peek_changes", "pg_logical_slot_peek_binary_changes",
            "pg_logical_emit_message", "pg_copy_physical_replication_slot",
            "pg_copy_logical_replication_slot", "pg_notify", "pg_import_system_collations",
            "pg_stat_statements_reset",
            // SQL text run by the function, or arguments pasted into SQL it runs (contrib tablefunc, xml2)
            "connectby", "xpath_table",
            // server files, logs, configuration, WAL
            "pg_read_file_old", "pg_rotate_logfile_old", "pg_show_all_file_settings", "pg_hba_file_rules",
            "pg_ident_file_mappings", "pg_log_standby_snapshot", "pg_sync_replication_slots", "get_raw_page",
            // pages changed for good although the transaction is READ ONLY and rolled back
            "pg_truncate_visibility_map", "brin_desummarize_range", "gin_clean_pending_list", "pg_prewarm",
            // a real transaction id used up per call; the OID counter advanced
            "txid_current", "pg_current_xact_id", "pg_nextoid",
            // session state that survives ROLLBACK and DISCARD ALL: the next request's random() is predictable
            "setseed");

    /** Whole families, matched by prefix. */
    static final List<String> HIGH_PREFIXES = List.of(
            "lo_", "dblink", "pg_ls_", "pg_create_", "pg_advisory_", "pg_try_advisory_",
            "pg_replication_origin_", "pg_stat_reset", "crosstab", "heap_force_", "pg_get_wal_", "brin_summarize_",
            "autoprewarm_");

    private DangerousFunctions() {
    }

    /** The risk of calling {@code name} (already folded), or null if it is not dangerous. */
    public static Risk riskOf(String name) {
        if (CRITICAL_NAMES.contains(name)) {
            return Risk.CRITICAL;
        }
        if (HIGH_NAMES.contains(name)) {
            return Risk.HIGH;
        }
        for (String p : HIGH_PREFIXES) {
            if (name.startsWith(p)) {
                return Risk.HIGH;
            }
        }
        return null;
    }

    /**
     * Scans tokens for calls of dangerous functions and raises the result. Returns true if any was
     * found. A name right after INTO, TABLE or REFERENCES is a table with a column list, not a call.
     */
    static boolean scan(List<Token> ts, StatementResult r) {
        boolean found = false;
        for (int i = 0; i + 1 < ts.size(); i++) {
            Token t = ts.get(i);
            if ((t.kind() != TokenKind.WORD && t.kind() != TokenKind.QUOTED_IDENT) || !ts.get(i + 1).isPunct("(")) {
                continue;
            }
            Risk risk = riskOf(t.value());
            if (risk == null) {
                continue;
            }
            int p = i - 1;
            if (p >= 1 && ts.get(p).isPunct(".")) {
                p -= 2; // skip "schema ."
            }
            if (p >= 0 && (ts.get(p).isWord("into") || ts.get(p).isWord("table") || ts.get(p).isWord("references"))) {
                continue;
            }
            r.raise(risk, "dangerous_function:" + t.value());
            found = true;
        }
        return found;
    }
}
