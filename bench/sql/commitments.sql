-- Adds commitments to the demo plan until it has :total, each a copy of one of the seeded ones (same country,
-- outcome, indicator and terms; its own id, code and title), made on 2023-01-02 by the secretariat.
set search_path to strategy;
begin;
create temp table tpl on commit drop as
  select row_number() over (order by seq_id) - 1 as t, data from mt_events where type = 'commitment_made';
create temp table gen on commit drop as
  select g as n, gen_random_uuid() as id, tpl.data,
         '2023-01-02T00:00:00Z'::timestamptz + g * (interval '1 day' / :total) as ts
  from generate_series(1, :total - (select count(*) from tpl)) g
  join tpl on tpl.t = (g - 1) % (select count(*) from tpl);
insert into mt_streams (id, type, version, timestamp, created, tenant_id)
  select id, 'commitment', 1, ts, ts, '*DEFAULT*' from gen;
insert into mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name, correlation_id)
  select (select max(seq_id) from mt_events) + n, gen_random_uuid(), id, 1,
         data || jsonb_build_object('commitmentId', id,
                                    'code', (data->>'country') || '-' || (data->>'outcome') || '-' || lpad(n::text, 5, '0'),
                                    'title', (data->>'title') || ' (' || n || ')'),
         'commitment_made', ts, '*DEFAULT*', 'Strategy.Domain.Commitments.CommitmentMade, Strategy.Domain',
         '{"actor-name": "Bench secretariat", "actor-role": "secretariat"}', 'bench-secretariat', 'bench-made'
  from gen;
select setval('mt_events_sequence', (select max(seq_id) from mt_events));
commit;
