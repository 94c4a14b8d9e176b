package dev.backstop.restore;

/**
 * The last statement of printed copyback SQL: it appends one complete record of the copyback to the gateway's audit
 * chain, in the copyback's own transaction, following the chain's contract as {@link AuditAppend} does (advisory
 * lock {@link AuditAppend#CHAIN_LOCK}, {@code row_hash = sha256(prev_hash || '\n' || record)}, {@code completion_hash
 * = sha256(row_hash || '\n' || completion)}). So SQL an operator pastes into psql is recorded like {@code copyback
 * --apply}, and only if it commits. Best effort by nature (the text can be edited before it runs): without the
 * audit table, or without the right to write to it, it says so in a NOTICE and the copyback still runs.
 */
final class HandRunAudit {
    private static final String TAG = "$backstop_audit$";

    private HandRunAudit() {
    }

    /**
     * The DO statement for {@code script} (printed for {@code live} <- {@code recovered}), recording into
     * {@code stateSchema}.audit.
     */
    static String block(String stateSchema, String live, String recovered, Copyback.Script script) {
        String schema = Sql.literal(stateSchema);
        String audit = Sql.literal(Sql.qualified(stateSchema, "audit"));
        String table = Sql.qualified(stateSchema, "audit");
        String record = "json_build_object('event', 'copyback', 'id', i, 'ts', now(), 'principal', "
                + Sql.literal(ToolAudit.PRINCIPAL) + ", 'applied_as', 'printed SQL run by hand', 'db_user', current_user,"
                + " 'table', " + Sql.literal(live) + ", 'recovered', " + Sql.literal(recovered) + ", 'mode', "
                + Sql.literal(Copyback.label(script.mode())) + ", 'summary', " + Sql.literal(script.summary()) + ")::text";
        String text = "DO " + TAG + "\nDECLARE\n"
                + "  s bigint; p text; h text; r text; c text;\n"
                + "  i uuid := md5(random()::text || clock_timestamp()::text || pg_backend_pid()::text)::uuid;\n"
                + "BEGIN\n"
                // One check at a time: a schema the role may not use makes to_regclass fail, not return NULL.
                + "  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = " + schema + ") THEN\n"
                + notRecorded("no audit table %", audit)
                + "  IF NOT has_schema_privilege(" + schema + ", 'USAGE') THEN\n"
                + notRecorded("% may not write to %", "current_user, " + audit)
                + "  IF to_regclass(" + audit + ") IS NULL THEN\n"
                + notRecorded("no audit table %", audit)
                + "  IF NOT has_table_privilege(" + audit + ", 'SELECT, INSERT') THEN\n"
                + notRecorded("% may not write to %", "current_user, " + audit)
                + "  PERFORM pg_advisory_xact_lock(" + AuditAppend.CHAIN_LOCK + ");\n"
                + "  SELECT seq, row_hash INTO s, p FROM " + table + " ORDER BY seq DESC LIMIT 1;\n"
                + "  s := coalesce(s, 0) + 1;\n"
                + "  p := coalesce(p, repeat('0', 64));\n"
                + "  r := " + record + ";\n"
                + "  h := encode(sha256(convert_to(p || chr(10) || r, 'UTF8')), 'hex');\n"
                + "  c := json_build_object('completed_at', clock_timestamp(), 'outcome', 'applied')::text;\n"
                + "  INSERT INTO " + table + " (seq, id, ts, principal, decision, record, prev_hash, row_hash,"
                + " completed_at, outcome, completion, completion_hash)\n"
                + "    VALUES (s, i, now(), " + Sql.literal(ToolAudit.PRINCIPAL) + ", 'copyback', r, p, h,"
                + " clock_timestamp(), 'applied', c, encode(sha256(convert_to(h || chr(10) || c, 'UTF8')), 'hex'));\n"
                + "  RAISE NOTICE 'backstop: copyback recorded in the audit chain (seq %, id %)', s, i;\n"
                + "END\n" + TAG;
        if (text.indexOf(TAG, TAG.length()) != text.length() - TAG.length()) {
            throw new CheckFailedException("a table or column name contains " + TAG + "; write the copyback by hand");
        }
        return text;
    }

    /** The body of an IF whose condition means the record cannot be written: a NOTICE, and nothing recorded. */
    private static String notRecorded(String why, String args) {
        return "    RAISE NOTICE 'backstop: " + why + ": this copyback is not recorded', " + args + ";\n"
                + "    RETURN;\n  END IF;\n";
    }
}
