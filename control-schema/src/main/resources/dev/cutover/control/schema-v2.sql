-- Cutover control schema, version 2: the upgrade step from version 1 (run after schema-v1.sql, in the
-- same transaction). ${schema} is replaced by cutover.schema (quoted). Idempotent, like version 1:
-- `cutover init` (or the first `cutover advance --lazy`) may run it on a fresh or an existing schema.

-- Whether read_new was entered with --lazy, before the backfill was verified: drivers then read
-- COALESCE(new, up(old)). Cleared when the backfill is verified (or on a rollback to dual_write).
ALTER TABLE ${schema}.migrations ADD COLUMN IF NOT EXISTS lazy boolean NOT NULL DEFAULT false;

INSERT INTO ${schema}.schema_version (version) VALUES (2) ON CONFLICT DO NOTHING;
