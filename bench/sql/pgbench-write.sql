-- pgbench: the SQL work of one progress report, in one transaction: bump the stream's version, append the event row,
-- rewrite the commitment's view document.
\set n random(1, :commitments)
BEGIN;
SELECT id FROM bench_pg.commitments WHERE n = :n \gset
UPDATE bench_pg.mt_streams SET version = version + 1, timestamp = now() WHERE id = :id::uuid RETURNING version \gset
INSERT INTO bench_pg.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name, correlation_id)
  VALUES (nextval('bench_pg.mt_events_sequence'), gen_random_uuid(), :id::uuid, :version::bigint,
          jsonb_build_object('commitmentId', :id::text, 'value', :version::bigint, 'asOf', '2026-06-30', 'note', 'bench', 'evidenceUrl', null),
          'progress_reported', now(), '*DEFAULT*', 'Strategy.Domain.Commitments.ProgressReported, Strategy.Domain',
          '{"actor-name": "Focal point", "actor-role": "focal-point", "actor-country": "KH"}', 'fp-kh', 'bench');
UPDATE bench_pg.mt_doc_commitmentview
   SET data = jsonb_set(data, '{version}', to_jsonb(:version::bigint)), mt_last_modified = now(), mt_version = mt_version + 1
 WHERE id = :id::uuid;
END;
