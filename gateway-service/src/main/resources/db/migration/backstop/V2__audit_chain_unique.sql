-- Two writers extending the chain from the same head would fork it: the second one's rows collide
-- here and its batch is retried from the new head.
CREATE UNIQUE INDEX audit_prev_hash_key ON audit (prev_hash);
