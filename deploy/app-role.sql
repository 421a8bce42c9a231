-- Least-privilege role for the running service. Apply it as the schema owner after the schema exists:
--   dotnet Strategy.Api.dll migrate --app-role strategy_app --app-password '...'
-- (or substitute the four placeholders and run it with psql; {{tolerance_seconds}} is AuditClock.Tolerance, 5). Run it again after each migration, so tables
-- added by a new version are granted too. {{password}} is the role's SCRAM-SHA-256 verifier, which `migrate`
-- computes from the password it is given: PostgreSQL stores a verifier as it is, and the password itself never
-- appears in this SQL (with psql, a plain password without quotes or dollar signs works too).
--
-- The service may read and write its documents and append events, but stored events can never be changed or
-- removed through this role: no UPDATE, DELETE or TRUNCATE on the event table. Schema changes stay with the owner.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{{role}}') THEN
    CREATE ROLE "{{role}}" LOGIN PASSWORD '{{password}}';
  ELSE
    ALTER ROLE "{{role}}" LOGIN PASSWORD '{{password}}';
  END IF;
END
$$;

GRANT USAGE ON SCHEMA "{{schema}}" TO "{{role}}";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{{schema}}" TO "{{role}}";
-- nextval needs USAGE and reading a sequence SELECT; UPDATE would allow setval, choosing the events' sequence numbers.
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{{schema}}" TO "{{role}}";
REVOKE UPDATE ON ALL SEQUENCES IN SCHEMA "{{schema}}" FROM "{{role}}";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA "{{schema}}" TO "{{role}}";

-- The event log is append-only for the service. Deleting a stream row would delete its events too (the foreign key
-- from mt_events cascades, and referential actions run as the table's owner), so streams cannot be deleted either.
REVOKE UPDATE, DELETE, TRUNCATE ON "{{schema}}".mt_events FROM "{{role}}";
REVOKE DELETE, TRUNCATE ON "{{schema}}".mt_streams FROM "{{role}}";
REVOKE TRUNCATE ON ALL TABLES IN SCHEMA "{{schema}}" FROM "{{role}}";
-- Evidence files are stored once and never changed: a changed file would no longer match the SHA-256 its upload
-- recorded in the event log.
REVOKE UPDATE, DELETE ON "{{schema}}".evidence_file FROM "{{role}}";

-- Nor can it append history that never happened: an event it inserts must be stamped within the tolerance of the
-- database's clock (so not backdated), and carry the sequence number its own session has just drawn (so no number
-- chosen to fall before others or into a gap). Marten's mt_quick_append_events does exactly that, one row at a time.
-- search_path is pinned so that no function or operator of the caller's can stand in for the ones the check uses.
CREATE OR REPLACE FUNCTION "{{schema}}".app_event_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $guard$
DECLARE
  tolerance constant interval := make_interval(secs => {{tolerance_seconds}});
  clock timestamptz := clock_timestamp();
  drawn bigint;
BEGIN
  IF NEW.timestamp < clock - tolerance OR NEW.timestamp > clock + tolerance THEN
    RAISE EXCEPTION 'event refused: its timestamp % is more than {{tolerance_seconds}} s from the database clock (%)', NEW.timestamp, clock
      USING ERRCODE = 'SG001', HINT = 'Events are stamped at append time; keep the service''s clock in step with the database''s.';
  END IF;
  BEGIN
    drawn := currval('"{{schema}}".mt_events_sequence');
  EXCEPTION WHEN object_not_in_prerequisite_state THEN  -- no nextval yet in this session
    drawn := NULL;
  END;
  IF drawn IS NULL OR NEW.seq_id IS DISTINCT FROM drawn THEN
    RAISE EXCEPTION 'event refused: its sequence % is not the one this session just drew from mt_events_sequence (%)', NEW.seq_id, coalesce(drawn::text, 'none')
      USING ERRCODE = 'SG002', HINT = 'Take seq_id from nextval(''mt_events_sequence'') in the same statement.';
  END IF;
  RETURN NEW;
END
$guard$;

-- The guard spares the table's owner and whoever can act as it (superusers, members): they could drop the trigger
-- anyway, and the owner's tools (migrations, bench/sql/history.sql's backdated history) need to write freely. It keys
-- on the owner rather than on one role, so applying this file for a second role leaves the first guarded; the owner is
-- named in the trigger's condition, so the owner's bulk inserts do not call the function at all. A plain role cannot
-- step around it: disabling triggers takes ownership, session_replication_role superuser.
DROP TRIGGER IF EXISTS app_event_guard ON "{{schema}}".mt_events;
DO $$
BEGIN
  EXECUTE format('CREATE TRIGGER app_event_guard BEFORE INSERT ON %1$I.mt_events FOR EACH ROW '
                 || 'WHEN (NOT pg_catalog.pg_has_role(CURRENT_USER, %2$L::name, ''USAGE'')) EXECUTE FUNCTION %1$I.app_event_guard()',
                 '{{schema}}', (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = '"{{schema}}".mt_events'::regclass));
END
$$;

-- Hangfire's job storage (created by `migrate`), which the service reads and writes in full.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '{{schema}}_hangfire') THEN
    EXECUTE 'GRANT USAGE ON SCHEMA "{{schema}}_hangfire" TO "{{role}}"';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{{schema}}_hangfire" TO "{{role}}"';
    EXECUTE 'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "{{schema}}_hangfire" TO "{{role}}"';
  END IF;
END
$$;
