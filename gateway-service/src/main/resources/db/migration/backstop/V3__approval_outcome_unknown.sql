-- An approved statement whose COMMIT lost its connection may have committed: it gets its own terminal status,
-- outcome_unknown, instead of failed (which means rolled back).
ALTER TABLE approvals DROP CONSTRAINT approvals_status_check;
ALTER TABLE approvals ADD CONSTRAINT approvals_status_check CHECK (status IN
    ('pending', 'approved', 'executed', 'failed', 'blocked', 'denied', 'expired', 'outcome_unknown'));
