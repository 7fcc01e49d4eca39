-- Cutover control schema, version 5: the upgrade step from version 4 (run after schema-v4.sql, in the
-- same transaction). ${schema} is replaced by cutover.schema (quoted). Idempotent.

-- Whether the old column may lag behind the new one (a type change to a new name): set at an epoch
-- of its own before an advance records new_only (every instance must stop reading it before the
-- first one stops writing it), kept in new_only, set when a rollback records read_new back from it
-- (rows written in new_only have an empty or out-of-date old column until the rollback's refill
-- reaches them), cleared once that refill has left no row differing, and by any other phase change. While it is set, drivers read conditions on the old name through
-- down(new) instead of the old column.
ALTER TABLE ${schema}.migrations ADD COLUMN IF NOT EXISTS old_stale boolean NOT NULL DEFAULT false;

INSERT INTO ${schema}.schema_version (version) VALUES (5) ON CONFLICT DO NOTHING;
