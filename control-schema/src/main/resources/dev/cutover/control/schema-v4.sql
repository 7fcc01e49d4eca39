-- Cutover control schema, version 4: the upgrade step from version 3 (run after schema-v3.sql, in the
-- same transaction). ${schema} is replaced by cutover.schema (quoted). Idempotent.
--
-- A running backfill's settings, which `cutover tune` changes from any machine, and what the
-- backfill reports back about itself. One row per migration. `cutover backfill` writes the settings
-- of its command line when it starts and bumps settings_version; `cutover tune` changes some of them
-- and bumps it again; the backfill polls the row (at least once a second), applies the settings and
-- records applied_version, so that `tune` can tell when its change took effect.

CREATE TABLE IF NOT EXISTS ${schema}.backfill_control (
  migration_id      text PRIMARY KEY,
  -- Settings (written by `backfill` when it starts, then by `tune`):
  batch_size        int CHECK (batch_size IS NULL OR batch_size > 0),   -- NULL: sized to chunk_time_ms
  chunk_time_ms     int NOT NULL DEFAULT 500 CHECK (chunk_time_ms > 0),
  workers           int NOT NULL DEFAULT 1 CHECK (workers BETWEEN 1 AND 64),
  paused            boolean NOT NULL DEFAULT false,
  max_lag_ms        bigint CHECK (max_lag_ms IS NULL OR max_lag_ms > 0),  -- NULL: lag is not watched
  settings_version  bigint NOT NULL DEFAULT 1,
  tuned_at          timestamptz,
  tuned_by          name,
  -- What the running backfill reports (every poll):
  backend_pid       int,            -- the backfill's coordinating session; NULL once it stopped
  heartbeat_at      timestamptz,
  applied_version   bigint NOT NULL DEFAULT 0,
  active_workers    int NOT NULL DEFAULT 0,
  chunk_rows        bigint,         -- the chunk size now in use
  rows_per_second   float8,
  throttle_reasons  text[] NOT NULL DEFAULT '{}',
  stopped_at        timestamptz,
  stop_reason       text
);

INSERT INTO ${schema}.schema_version (version) VALUES (4) ON CONFLICT DO NOTHING;
