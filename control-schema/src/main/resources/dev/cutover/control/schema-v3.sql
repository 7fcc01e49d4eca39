-- Cutover control schema, version 3: the upgrade step from version 2 (run after schema-v2.sql, in the
-- same transaction). ${schema} is replaced by cutover.schema (quoted). Idempotent.
--
-- Acknowledgements the application role cannot forge. The application's role may write instances
-- and name_usage (drivers of version 2 write them directly), but triggers hold every write to the
-- server's truth: heartbeat_at and used_at are the server's now(), an applied epoch beyond the
-- newest migration epoch is refused, and each row records the backend (pid) and the role that wrote
-- it. A driver of version 3 heartbeats through instance_heartbeat() with a secret token of its own
-- (only its hash is stored): no other session can overwrite or delete its row while it is alive.
-- name_usage cannot be deleted, nor its times moved back, by the application role.

ALTER TABLE ${schema}.instances ADD COLUMN IF NOT EXISTS backend_pid int;
ALTER TABLE ${schema}.instances ADD COLUMN IF NOT EXISTS owner name;
ALTER TABLE ${schema}.instances ADD COLUMN IF NOT EXISTS token_hash text;

-- Rows that could only have been forged (a driver never writes them) would crash or block commands.
DELETE FROM ${schema}.instances
 WHERE NOT isfinite(heartbeat_at) OR NOT isfinite(started_at) OR heartbeat_at > now() + interval '1 minute'
    OR applied_epoch < 0 OR applied_epoch > (SELECT coalesce(max(epoch), 0) FROM ${schema}.migrations);
UPDATE ${schema}.name_usage SET old_used_at = now() WHERE NOT isfinite(old_used_at);
UPDATE ${schema}.name_usage SET new_used_at = now() WHERE NOT isfinite(new_used_at);

-- Whether the current role may write control rows freely: the control tables' owner (the operator
-- who ran init, a superuser, or a SECURITY DEFINER function of this schema).
CREATE OR REPLACE FUNCTION ${schema}.is_operator(rel oid) RETURNS boolean LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp AS $fn$
  SELECT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = rel), 'MEMBER')
$fn$;

-- Whether the session that last wrote an instance row may be replaced: its backend is gone, or the
-- row has not been heartbeated for 10 s (a live driver heartbeats at least every 5 s).
CREATE OR REPLACE FUNCTION ${schema}.instance_replaceable(pid int, heartbeat timestamptz) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
  SELECT pid IS NULL OR pid = pg_backend_pid() OR heartbeat < now() - interval '10 seconds'
      OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = instance_replaceable.pid)
$fn$;

CREATE OR REPLACE FUNCTION ${schema}.instances_guard() RETURNS trigger LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  newest bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF ${schema}.is_operator(TG_RELID) OR (OLD.token_hash IS NULL AND OLD.owner IS NOT DISTINCT FROM session_user) THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'Cutover: instance % belongs to a driver process (role %); only it, or the operator, can delete its row',
      OLD.instance, OLD.owner USING ERRCODE = '42501';
  END IF;
  IF ${schema}.is_operator(TG_RELID) THEN
    RETURN NEW; -- the operator (and instance_heartbeat(), which checks for itself) writes what it means
  END IF;
  IF NOT isfinite(NEW.heartbeat_at) OR NOT isfinite(NEW.started_at) THEN
    RAISE EXCEPTION 'Cutover: instance %: heartbeat_at and started_at must be finite', NEW.instance
      USING ERRCODE = '22023';
  END IF;
  SELECT coalesce(max(epoch), 0) INTO newest FROM ${schema}.migrations;
  IF NEW.applied_epoch < 0 OR NEW.applied_epoch > newest THEN
    RAISE EXCEPTION 'Cutover: instance %: applied epoch % is not an epoch of this control schema (0 to %)',
      NEW.instance, NEW.applied_epoch, newest USING ERRCODE = '22023';
  END IF;
  IF TG_OP = 'UPDATE' AND (OLD.token_hash IS NOT NULL OR OLD.owner IS DISTINCT FROM session_user)
      AND NOT ${schema}.instance_replaceable(OLD.backend_pid, OLD.heartbeat_at) THEN
    RAISE EXCEPTION 'Cutover: instance % is held by a live driver session (backend pid %, role %)',
      OLD.instance, OLD.backend_pid, OLD.owner USING ERRCODE = '42501';
  END IF;
  NEW.token_hash := NULL; -- only instance_heartbeat() sets it
  NEW.owner := session_user;
  NEW.backend_pid := pg_backend_pid();
  -- The server's clock, never the writer's.
  NEW.heartbeat_at := now();
  IF TG_OP = 'INSERT' OR NEW.started_at IS DISTINCT FROM OLD.started_at THEN
    NEW.started_at := now();
  END IF;
  RETURN NEW;
END
$fn$;

DROP TRIGGER IF EXISTS instances_guard ON ${schema}.instances;
CREATE TRIGGER instances_guard BEFORE INSERT OR UPDATE OR DELETE ON ${schema}.instances
  FOR EACH ROW EXECUTE FUNCTION ${schema}.instances_guard();

-- The heartbeat of a version 3 driver: p_token is a secret of the driver process. Refused (42501)
-- while another live session holds the instance with another token.
CREATE OR REPLACE FUNCTION ${schema}.instance_heartbeat(p_instance text, p_applied_epoch bigint, p_token text,
    p_restarted boolean) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  cur ${schema}.instances%ROWTYPE;
  newest bigint;
BEGIN
  SELECT coalesce(max(epoch), 0) INTO newest FROM ${schema}.migrations;
  IF p_applied_epoch IS NULL OR p_applied_epoch < 0 OR p_applied_epoch > newest THEN
    RAISE EXCEPTION 'Cutover: instance %: applied epoch % is not an epoch of this control schema (0 to %)',
      p_instance, p_applied_epoch, newest USING ERRCODE = '22023';
  END IF;
  IF p_token IS NULL OR length(p_token) < 16 THEN
    RAISE EXCEPTION 'Cutover: instance %: a driver token is required', p_instance USING ERRCODE = '22023';
  END IF;
  SELECT * INTO cur FROM ${schema}.instances WHERE instance = p_instance FOR UPDATE;
  IF FOUND AND cur.token_hash IS DISTINCT FROM md5(p_token)
      AND NOT ${schema}.instance_replaceable(cur.backend_pid, cur.heartbeat_at) THEN
    RAISE EXCEPTION 'Cutover: instance % is held by another live driver session (backend pid %, role %): give each process its own cutover.instance',
      p_instance, cur.backend_pid, cur.owner USING ERRCODE = '42501';
  END IF;
  INSERT INTO ${schema}.instances AS i (instance, applied_epoch, started_at, heartbeat_at, backend_pid, owner, token_hash)
    VALUES (p_instance, p_applied_epoch, now(), now(), pg_backend_pid(), session_user, md5(p_token))
    ON CONFLICT (instance) DO UPDATE SET applied_epoch = EXCLUDED.applied_epoch, heartbeat_at = now(),
      started_at = CASE WHEN p_restarted OR i.token_hash IS DISTINCT FROM EXCLUDED.token_hash THEN now()
                        ELSE i.started_at END,
      backend_pid = EXCLUDED.backend_pid, owner = EXCLUDED.owner, token_hash = EXCLUDED.token_hash;
END
$fn$;

-- A version 3 driver's clean stop: deletes its row (only with its token).
CREATE OR REPLACE FUNCTION ${schema}.instance_deregister(p_instance text, p_token text) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
  DELETE FROM ${schema}.instances WHERE instance = p_instance AND token_hash = md5(p_token)
$fn$;

REVOKE ALL ON FUNCTION ${schema}.instance_heartbeat(text, bigint, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION ${schema}.instance_deregister(text, text) FROM PUBLIC;

-- Roles granted by an earlier `init --grant` (they may INSERT instances): the new heartbeat path,
-- and no more DELETE on name_usage.
DO $do$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT DISTINCT a.grantee::regrole::text AS role
             FROM pg_class c, aclexplode(c.relacl) a
            WHERE c.oid = '${schema}.instances'::regclass AND a.privilege_type = 'INSERT'
              AND a.grantee <> 0 AND a.grantee <> c.relowner LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION ${schema}.instance_heartbeat(text, bigint, text, boolean),'
      ' ${schema}.instance_deregister(text, text) TO %s', r.role);
    EXECUTE format('REVOKE DELETE, TRUNCATE ON ${schema}.name_usage FROM %s', r.role);
  END LOOP;
END
$do$;

-- Old- and new-name use: times are the server's now() and only move forward; rows stay.
CREATE OR REPLACE FUNCTION ${schema}.name_usage_guard() RETURNS trigger LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
  IF ${schema}.is_operator(TG_RELID) THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'Cutover: name use telemetry can only be deleted by the operator' USING ERRCODE = '42501';
  END IF;
  IF NOT isfinite(NEW.old_used_at) OR NOT isfinite(NEW.new_used_at) THEN
    RAISE EXCEPTION 'Cutover: name use times must be finite' USING ERRCODE = '22023';
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.instance IS DISTINCT FROM OLD.instance OR NEW.migration_id IS DISTINCT FROM OLD.migration_id) THEN
    RAISE EXCEPTION 'Cutover: name use rows cannot be moved' USING ERRCODE = '42501';
  END IF;
  IF TG_OP = 'INSERT' THEN
    NEW.old_used_at := CASE WHEN NEW.old_used_at IS NOT NULL THEN now() END;
    NEW.new_used_at := CASE WHEN NEW.new_used_at IS NOT NULL THEN now() END;
  ELSE
    NEW.old_used_at := CASE WHEN NEW.old_used_at IS NOT DISTINCT FROM OLD.old_used_at THEN OLD.old_used_at
                            WHEN NEW.old_used_at IS NULL THEN OLD.old_used_at ELSE now() END;
    NEW.new_used_at := CASE WHEN NEW.new_used_at IS NOT DISTINCT FROM OLD.new_used_at THEN OLD.new_used_at
                            WHEN NEW.new_used_at IS NULL THEN OLD.new_used_at ELSE now() END;
  END IF;
  RETURN NEW;
END
$fn$;

DROP TRIGGER IF EXISTS name_usage_guard ON ${schema}.name_usage;
CREATE TRIGGER name_usage_guard BEFORE INSERT OR UPDATE OR DELETE ON ${schema}.name_usage
  FOR EACH ROW EXECUTE FUNCTION ${schema}.name_usage_guard();

INSERT INTO ${schema}.schema_version (version) VALUES (3) ON CONFLICT DO NOTHING;
