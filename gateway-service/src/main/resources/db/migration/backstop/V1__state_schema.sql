-- Backstop gateway state schema, version 1. Flyway runs this with search_path set to the state schema.

-- Audit: append-only and hash-chained. `record` is the canonical JSON written before execution and
-- `completion` the canonical JSON written after; row_hash = sha256(prev_hash || '\n' || record),
-- completion_hash = sha256(row_hash || '\n' || completion). Other columns are copies for querying.
CREATE TABLE audit (
    seq             bigint      PRIMARY KEY,
    id              uuid        NOT NULL UNIQUE,
    ts              timestamptz NOT NULL,
    principal       text        NOT NULL,
    decision        text,
    risk            text,
    approval_id     uuid,
    record          text        NOT NULL,
    prev_hash       text        NOT NULL,
    row_hash        text        NOT NULL,
    completed_at    timestamptz,
    outcome         text,
    completion      text,
    completion_hash text
);
CREATE INDEX audit_ts_idx ON audit (ts);
CREATE INDEX audit_principal_idx ON audit (principal, ts);

-- Rows are never deleted; the only update allowed fills in the completion of an incomplete row.
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'audit is append-only';
    END IF;
    IF OLD.completion IS NOT NULL
       OR NEW.seq <> OLD.seq OR NEW.id <> OLD.id OR NEW.ts <> OLD.ts OR NEW.principal <> OLD.principal
       OR NEW.record <> OLD.record OR NEW.prev_hash <> OLD.prev_hash OR NEW.row_hash <> OLD.row_hash
       OR NEW.decision IS DISTINCT FROM OLD.decision OR NEW.risk IS DISTINCT FROM OLD.risk THEN
        RAISE EXCEPTION 'audit rows are immutable once written (only the completion may be added, once)';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- Approvals: pending -> approved -> executed | failed | blocked, or pending -> denied | expired.
CREATE TABLE approvals (
    id               uuid        PRIMARY KEY,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    requested_by     text        NOT NULL,
    request_audit_id uuid,
    sql_text         text        NOT NULL,
    sql_scrubbed     text        NOT NULL,
    sql_sha256       text        NOT NULL,
    policy_version   text        NOT NULL,
    risk             text        NOT NULL,
    reasons          jsonb       NOT NULL,
    statements       jsonb       NOT NULL,
    gate_required    boolean     NOT NULL,
    gate_tables      jsonb       NOT NULL,
    request_reason   text,
    status           text        NOT NULL CHECK (status IN
                         ('pending', 'approved', 'executed', 'failed', 'blocked', 'denied', 'expired')),
    decided_by       text,
    decided_at       timestamptz,
    decision_comment text,
    finished_at      timestamptz,
    result           jsonb,
    error            jsonb,
    gate             jsonb
);
CREATE INDEX approvals_status_idx ON approvals (status, created_at);

-- Emergency pause: a single row.
CREATE TABLE pause_state (
    id         int         PRIMARY KEY CHECK (id = 1),
    paused     boolean     NOT NULL,
    blocks_all boolean     NOT NULL,
    reason     text,
    changed_by text,
    changed_at timestamptz
);
INSERT INTO pause_state (id, paused, blocks_all) VALUES (1, false, false);

-- Quarantine: blocked/denied risky attempts per principal, and active quarantines.
CREATE TABLE risky_attempts (
    id        bigserial   PRIMARY KEY,
    principal text        NOT NULL,
    ts        timestamptz NOT NULL,
    kind      text        NOT NULL,
    audit_id  uuid
);
CREATE INDEX risky_attempts_principal_idx ON risky_attempts (principal, ts);

CREATE TABLE quarantine (
    principal  text        PRIMARY KEY,
    since      timestamptz NOT NULL,
    until      timestamptz NOT NULL,
    reason     text        NOT NULL
);

-- The gateway's own pool connections (backend pid + start), refreshed, so that bypass detection can
-- tell gateway connections from direct ones.
CREATE TABLE gateway_backends (
    instance_id   text        NOT NULL,
    backend_pid   int         NOT NULL,
    backend_start timestamptz NOT NULL,
    first_seen    timestamptz NOT NULL,
    refreshed_at  timestamptz NOT NULL,
    PRIMARY KEY (backend_pid, backend_start)
);
CREATE INDEX gateway_backends_refreshed_idx ON gateway_backends (refreshed_at);

-- Bypass connections seen by the sidecar; cleared by an operator through POST /v1/posture/clear.
CREATE TABLE bypass_events (
    id               bigserial   PRIMARY KEY,
    detected_at      timestamptz NOT NULL,
    last_seen_at     timestamptz NOT NULL,
    role             text        NOT NULL,
    client_addr      text,
    application_name text,
    backend_pid      int,
    backend_start    timestamptz,
    detail           jsonb,
    cleared_at       timestamptz,
    cleared_by       text,
    clear_reason     text
);
CREATE INDEX bypass_events_open_idx ON bypass_events (cleared_at, last_seen_at);
