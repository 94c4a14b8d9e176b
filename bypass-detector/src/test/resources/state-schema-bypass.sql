-- COPY for tests of the two tables bypass detection uses, taken verbatim from the gateway's migration
-- gateway-service/src/main/resources/db/migration/backstop/V1__state_schema.sql (which Flyway runs with
-- search_path set to the state schema). The detector must not depend on gateway-service, so the
-- definitions are repeated here: if that migration changes these tables, change this file too.
CREATE SCHEMA IF NOT EXISTS backstop;
SET search_path TO backstop;

CREATE TABLE gateway_backends (
    instance_id   text        NOT NULL,
    backend_pid   int         NOT NULL,
    backend_start timestamptz NOT NULL,
    first_seen    timestamptz NOT NULL,
    refreshed_at  timestamptz NOT NULL,
    PRIMARY KEY (backend_pid, backend_start)
);
CREATE INDEX gateway_backends_refreshed_idx ON gateway_backends (refreshed_at);

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
