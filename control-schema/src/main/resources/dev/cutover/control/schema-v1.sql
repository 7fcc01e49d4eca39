-- Cutover control schema, version 1. ${schema} is replaced by cutover.schema (quoted).
-- Every statement is idempotent: `cutover init` may run any number of times.
CREATE SCHEMA IF NOT EXISTS ${schema};

CREATE TABLE IF NOT EXISTS ${schema}.schema_version (
  version      int PRIMARY KEY,
  installed_at timestamptz NOT NULL DEFAULT now()
);

-- Grows at every phase change of any migration; a driver's snapshot is as new as its max epoch.
CREATE SEQUENCE IF NOT EXISTS ${schema}.epoch_seq;

CREATE TABLE IF NOT EXISTS ${schema}.migrations (
  id                  text PRIMARY KEY,
  table_schema        text NOT NULL,
  table_name          text NOT NULL,
  old_column          text NOT NULL,
  new_column          text NOT NULL,
  physical_new_column text NOT NULL,
  new_type            text,
  up_expr             text,
  down_expr           text,
  phase               text NOT NULL CHECK (phase IN ('planned','dual_write','read_new','new_only','completed')),
  epoch               bigint NOT NULL,
  spec                jsonb NOT NULL,
  source_file         text,
  -- The column the old one followed when planned ('' when it was first): where the application
  -- expects it in SELECT * and positional INSERTs once the physical column is gone.
  old_column_after    text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Added during version 1's development; harmless on a fresh install.
ALTER TABLE ${schema}.migrations ADD COLUMN IF NOT EXISTS old_column_after text;

-- Whether the old column was NOT NULL when planned: new_only drops it (the old column is no longer
-- written) and a rollback restores it.
ALTER TABLE ${schema}.migrations ADD COLUMN IF NOT EXISTS old_not_null boolean;

-- A type change's old type as PostgreSQL prints it (reads through the old name are cast back to it).
ALTER TABLE ${schema}.migrations ADD COLUMN IF NOT EXISTS old_type text;

-- At most one unfinished migration per column.
CREATE UNIQUE INDEX IF NOT EXISTS migrations_one_active_per_column
  ON ${schema}.migrations (table_schema, table_name, old_column) WHERE phase <> 'completed';

CREATE TABLE IF NOT EXISTS ${schema}.instances (
  instance      text PRIMARY KEY,
  applied_epoch bigint NOT NULL DEFAULT 0,
  started_at    timestamptz NOT NULL DEFAULT now(),
  heartbeat_at  timestamptz NOT NULL DEFAULT now()
);

-- When an instance last sent a statement using a migration's old (or new) name.
CREATE TABLE IF NOT EXISTS ${schema}.name_usage (
  instance     text NOT NULL,
  migration_id text NOT NULL,
  old_used_at  timestamptz,
  new_used_at  timestamptz,
  PRIMARY KEY (instance, migration_id)
);

CREATE TABLE IF NOT EXISTS ${schema}.audit_log (
  id           bigserial PRIMARY KEY,
  migration_id text NOT NULL,
  from_phase   text,
  to_phase     text NOT NULL,
  actor        text NOT NULL DEFAULT current_user,
  at           timestamptz NOT NULL DEFAULT now(),
  detail       text
);

-- The epoch each phase change took (null for rows written before it was recorded).
ALTER TABLE ${schema}.audit_log ADD COLUMN IF NOT EXISTS epoch bigint;

-- Resumable backfill: the last key range committed.
CREATE TABLE IF NOT EXISTS ${schema}.backfill_state (
  migration_id text PRIMARY KEY,
  last_key     text,
  max_key      text,
  rows_done    bigint NOT NULL DEFAULT 0,
  started_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);

-- Every phase change wakes the drivers (polling is the fallback).
CREATE OR REPLACE FUNCTION ${schema}.notify_phase_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_notify('cutover', NEW.id || ':' || NEW.epoch);
  RETURN NEW;
END
$fn$;

DROP TRIGGER IF EXISTS migrations_notify ON ${schema}.migrations;
CREATE TRIGGER migrations_notify AFTER INSERT OR UPDATE ON ${schema}.migrations
  FOR EACH ROW EXECUTE FUNCTION ${schema}.notify_phase_change();

INSERT INTO ${schema}.schema_version (version) VALUES (1) ON CONFLICT DO NOTHING;
