-- Appends rounds :vfrom..:vto of history: in round v every commitment gets one event, in commitment order, so
-- sequence order is time order. Round 2 starts work (not-started -> in-progress); once in ten rounds a commitment
-- goes on hold and resumes in the next round (each commitment in its own rounds); every other event reports
-- progress, a straight line from baseline to target over 60 rounds. 49 rounds (2..50) span 2023-01-03 to yesterday, so M (rounds 2..10) is the first fifth of L.
set search_path to strategy;
begin;
create temp table c on commit drop as
  select row_number() over (order by s.created, s.id) as n, s.id, s.version,
         coalesce((e.data->>'baseline')::float8, 0) as b, coalesce((e.data->>'target')::float8, 100) as target,
         e.data->>'country' as country
  from mt_streams s join mt_events e on e.stream_id = s.id and e.type = 'commitment_made'
  where s.type = 'commitment_view';
select (date_trunc('day', now()) - interval '1 day' - '2023-01-03T00:00:00Z'::timestamptz) / (49 * (select count(*) from c)) as step \gset
create temp table h on commit drop as
  select (select max(seq_id) from mt_events) + row_number() over (order by v, c.n) as seq, c.*, v,
         '2023-01-03T00:00:00Z'::timestamptz + ((v - 2) * (select count(*) from c) + c.n) * :'step'::interval as ts,
         case when v = 2 then 'not-started' when hold then 'in-progress' when resume then 'on-hold' end as from_status,
         case when v = 2 then 'in-progress' when hold then 'on-hold' when resume then 'in-progress' end as to_status
  from c cross join generate_series(:vfrom, :vto) v
  -- Commitment n holds in the rounds where (v + n) ends in 5 and resumes in the next, so every round mixes the
  -- event types as real activity does. No hold in a round ending in 0 (M and L end there), so every commitment is
  -- in progress at the end of a data set, and a resume always follows a hold.
  cross join lateral (select (v + c.n) % 10 = 5 and v >= 3 and v % 10 <> 0 as hold,
                             (v + c.n) % 10 = 6 and v >= 4 and (v - 1) % 10 <> 0 as resume) k;
insert into mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name, correlation_id)
  select seq, gen_random_uuid(), id, version + (v - :vfrom + 1),
         case when to_status is null
              then jsonb_build_object('commitmentId', id, 'value', round((b + (target - b) * least(v, 60) / 60.0)::numeric, 2),
                                      'asOf', to_char(ts at time zone 'UTC', 'YYYY-MM-DD'), 'note', null, 'evidenceUrl', null)
              else jsonb_build_object('commitmentId', id, 'from', from_status, 'to', to_status, 'note', null) end,
         case when to_status is null then 'progress_reported' else 'commitment_status_changed' end,
         ts, '*DEFAULT*',
         case when to_status is null then 'Strategy.Domain.Commitments.ProgressReported, Strategy.Domain'
              else 'Strategy.Domain.Commitments.CommitmentStatusChanged, Strategy.Domain' end,
         jsonb_build_object('actor-name', 'Focal point ' || country, 'actor-role', 'focal-point', 'actor-country', country),
         'fp-' || lower(country), 'bench-history'
  from h;
update mt_streams s set version = s.version + (:vto - :vfrom + 1),
                        timestamp = '2023-01-03T00:00:00Z'::timestamptz + ((:vto - 2) * (select count(*) from c) + c.n) * :'step'::interval
  from c where c.id = s.id;
select setval('mt_events_sequence', (select max(seq_id) from mt_events));
commit;
analyze;
