-- pgbench: the SQL work of one value submission, in one transaction: lock the stream's row, read the write model and
-- the view, bump the stream's version, append the event, rewrite the write model and the view, add the value's
-- document.
\set n random(1, :commitments)
BEGIN;
SELECT id FROM bench_pg.commitments WHERE n = :n \gset
SELECT version FROM bench_pg.mt_streams WHERE id = :id::uuid FOR UPDATE;
SELECT data FROM bench_pg.mt_doc_commitment WHERE id = :id::uuid;
SELECT data FROM bench_pg.mt_doc_commitmentview WHERE id = :id::uuid;
UPDATE bench_pg.mt_streams SET version = version + 1, timestamp = now() WHERE id = :id::uuid RETURNING version, gen_random_uuid() AS value_id \gset
INSERT INTO bench_pg.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name, correlation_id)
  VALUES (nextval('bench_pg.mt_events_sequence'), gen_random_uuid(), :id::uuid, :version::bigint,
          jsonb_build_object('commitmentId', :id::text, 'valueId', :value_id::text, 'value', :version::bigint, 'asOf', '2026-06-30', 'round', '2026-Q2',
                             'late', false, 'supersedes', null, 'note', 'bench', 'evidence', '[]'::jsonb, 'evidenceUrl', null),
          'value_submitted', now(), '*DEFAULT*', 'Strategy.Domain.Commitments.ValueSubmitted, Strategy.Domain',
          '{"actor-name": "Focal point", "actor-role": "focal-point", "actor-country": "KH"}', 'focal-point-kh', 'bench');
UPDATE bench_pg.mt_doc_commitment
   SET data = jsonb_set(data, '{values}', data->'values' || jsonb_build_array(jsonb_build_object('id', :value_id::text, 'asOf', '2026-06-30',
              'round', '2026-Q2', 'state', 'submitted', 'value', :version::bigint, 'standing', false, 'submittedBy', 'focal-point-kh',
              'supersededBy', null, 'acceptedOrder', 0))),
       mt_last_modified = now(), mt_version = mt_version + 1
 WHERE id = :id::uuid;
UPDATE bench_pg.mt_doc_commitmentview
   SET data = jsonb_set(data, '{version}', to_jsonb(:version::bigint)), mt_last_modified = now(), mt_version = mt_version + 1
 WHERE id = :id::uuid;
INSERT INTO bench_pg.mt_doc_valueview (id, data, mt_last_modified, mt_dotnet_type, mt_version, commitment_id, round)
  VALUES (:value_id::uuid, jsonb_build_object('id', :value_id::text, 'commitmentId', :id::text, 'value', :version::bigint, 'asOf', '2026-06-30',
          'round', '2026-Q2', 'state', 'submitted', 'standing', false, 'late', false, 'submittedAt', now(),
          'submittedBy', '{"id": "focal-point-kh", "name": "Focal point", "role": "focal-point", "country": "KH"}'::jsonb, 'note', 'bench',
          'evidence', '[]'::jsonb, 'evidenceUrl', null, 'supersedes', null, 'supersededBy', null, 'reviewedAt', null, 'reviewedBy', null,
          'reviewNote', null),
          now(), 'Strategy.Infrastructure.Projections.ValueView', 1, :id::uuid, '2026-Q2');
END;
