-- Least-privilege role for the running service. Apply it as the schema owner after the schema exists:
--   dotnet Strategy.Api.dll migrate --app-role strategy_app --app-password '...'
-- (or substitute the three placeholders and run it with psql). Run it again after each migration, so tables
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
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "{{schema}}" TO "{{role}}";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA "{{schema}}" TO "{{role}}";

-- The event log is append-only for the service. Deleting a stream row would delete its events too (the foreign key
-- from mt_events cascades, and referential actions run as the table's owner), so streams cannot be deleted either.
REVOKE UPDATE, DELETE, TRUNCATE ON "{{schema}}".mt_events FROM "{{role}}";
REVOKE DELETE, TRUNCATE ON "{{schema}}".mt_streams FROM "{{role}}";
REVOKE TRUNCATE ON ALL TABLES IN SCHEMA "{{schema}}" FROM "{{role}}";
-- Evidence files are stored once and never changed: a changed file would no longer match the SHA-256 its upload
-- recorded in the event log.
REVOKE UPDATE, DELETE ON "{{schema}}".evidence_file FROM "{{role}}";

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
