-- Appends steps :vfrom..:vto of history. Step v gives every commitment one slot, in commitment order, so sequence order
-- is time order; 49 steps (2..50) span 2023-01-03 to yesterday, so M (steps 2..10) is the first fifth of L. In its
-- slot a commitment:
--   step 2              starts work (commitment_status_changed not-started -> in-progress);
--   once in ten steps   goes on hold, and resumes in the next step (each commitment in its own steps);
--   otherwise           takes the next step of its values' review cycle: its focal point submits a value
--                       (value_submitted, dated the slot's day, a straight line from baseline to target over 60 steps,
--                       in the open round whose period holds that day, late if sent after its deadline), and in its
--                       next value slot the secretariat accepts it (value_accepted). One value in 25 is returned
--                       instead, with a comment, and in the same slot corrected by the focal point (value_submitted
--                       superseding it) and the correction accepted: three events. For one commitment in four the
--                       first value slot is the secretariat's own value, accepted on entry (two events), so their
--                       cycle runs one slot later: they end each data set (M and L) with a value submitted, awaiting
--                       review (5,000 values).
-- So about one event per commitment and step (M about 210,000 events, L about 1,035,000). Everything is a function of
-- (commitment, step), so L continues M's history exactly. Value and comment ids are derived from the commitment's id
-- and the value's number.
set search_path to strategy;
begin;
create temp table c on commit drop as
  select row_number() over (order by s.created, s.id) as n, s.id, s.version,
         coalesce((e.data->>'baseline')::float8, 0) as b, coalesce((e.data->>'target')::float8, 100) as target,
         e.data->>'country' as country, e.data->>'planCode' as plan
  from mt_streams s join mt_events e on e.stream_id = s.id and e.type = 'commitment_made'
  where s.type = 'commitment';
select (date_trunc('day', now()) - interval '1 day' - '2023-01-03T00:00:00Z'::timestamptz) / (49 * (select count(*) from c)) as step \gset
-- Every slot from step 2, so each value slot knows its number (k) and the step of the previous value slot.
create temp table slot on commit drop as
  select c.n, c.id, v,
         '2023-01-03T00:00:00Z'::timestamptz + ((v - 2) * (select count(*) from c) + c.n) * :'step'::interval as ts,
         case when v = 2 then 'start' when hold then 'hold' when resume then 'resume' else 'value' end as kind
  from c cross join generate_series(2, :vto) v
  -- Commitment n holds in the steps where (v + n) ends in 5 and resumes in the next, so every step mixes the
  -- event types as real activity does. No hold in a step ending in 0 (M and L end there), so every commitment is
  -- in progress at the end of a data set, and a resume always follows a hold.
  cross join lateral (select (v + c.n) % 10 = 5 and v >= 3 and v % 10 <> 0 as hold,
                             (v + c.n) % 10 = 6 and v >= 4 and (v - 1) % 10 <> 0 as resume) k;
-- k: the value slot's number, counted from 2 for one commitment in four, whose first value slot is the secretariat's
-- own value (accepted on entry): their cycle runs one slot later, so they end each data set with a value submitted.
create temp table vslot on commit drop as
  select n, v, row_number() over w + case when n % 4 = 0 then 1 else 0 end as k, lag(v) over w as prev_v
  from slot where kind = 'value' window w as (partition by n order by v);
create temp table rounds on commit drop as
  select data->>'plan' as plan, data->>'code' as code, (data->>'periodStart')::date as period_start,
         (data->>'periodEnd')::date as period_end, (data->>'deadline')::date as deadline
  from mt_doc_round where not (data->>'closed')::boolean;
-- What each slot of steps :vfrom..:vto does (m: the value's number on its commitment; value_v: the step of the slot
-- that submitted it, whose day is the value's date), then its events (sub orders the events of one slot).
create temp table w on commit drop as
  select s.n, s.id, s.v, s.ts, s.kind, c.country, c.plan, x.m, x.value_v, x.what,
         '2023-01-03T00:00:00Z'::timestamptz + ((x.value_v - 2) * (select count(*) from c) + s.n) * :'step'::interval as value_ts,
         round((c.b + (c.target - c.b) * least(x.value_v, 60) / 60.0)::numeric, 2) as amount
  from slot s join c on c.n = s.n left join vslot vs on vs.n = s.n and vs.v = s.v
  cross join lateral (select (vs.k + 1) / 2 as m,
                             case when s.kind <> 'value' then 'status'
                                  when vs.k % 2 = 1 then 'submit'
                                  when vs.prev_v is null then 'own'
                                  when ('x' || left(md5(s.id::text || ':' || vs.k / 2 || ':returned'), 8))::bit(32)::int % 25 = 0 then 'return'
                                  else 'accept' end as what,
                             case when vs.k % 2 = 1 or vs.prev_v is null then s.v else vs.prev_v end as value_v) x
  where s.v between :vfrom and :vto;
-- A value that will be returned is submitted wrong (a tenth too high).
create temp table h on commit drop as
  select w.n, w.id, w.v, w.ts + x.sub * interval '1 second' as ts, x.sub, w.country, x.type, x.actor, x.data
  from w
  cross join lateral (select md5(w.id::text || ':' || w.m)::uuid as value_id,
                             md5(w.id::text || ':' || w.m || ':corrected')::uuid as corrected_id,
                             md5(w.id::text || ':' || w.m || ':comment')::uuid as comment_id,
                             to_char(w.value_ts at time zone 'UTC', 'YYYY-MM-DD') as as_of,
                             ('x' || left(md5(w.id::text || ':' || w.m || ':returned'), 8))::bit(32)::int % 25 = 0 as returned) i
  left join rounds r on r.plan = w.plan and (w.value_ts at time zone 'UTC')::date between r.period_start and r.period_end
  cross join lateral (
    select 0 as sub, 'commitment_status_changed' as type, 'fp' as actor,
           jsonb_build_object('commitmentId', w.id, 'note', null,
                              'from', case w.kind when 'start' then 'not-started' when 'hold' then 'in-progress' else 'on-hold' end,
                              'to', case w.kind when 'hold' then 'on-hold' else 'in-progress' end) as data
    where w.what = 'status'
    union all
    select 0, 'value_submitted', case w.what when 'own' then 'sec' else 'fp' end,
           jsonb_build_object('commitmentId', w.id, 'valueId', i.value_id,
                              'value', case when i.returned and w.what = 'submit' then round(w.amount * 1.1, 2) else w.amount end,
                              'asOf', i.as_of, 'round', r.code, 'late', coalesce((w.ts at time zone 'UTC')::date > r.deadline, false),
                              'supersedes', null, 'note', null, 'evidence', '[]'::jsonb, 'evidenceUrl', null)
    where w.what in ('submit', 'own')
    union all
    select case w.what when 'own' then 1 else 0 end, 'value_accepted', 'sec',
           jsonb_build_object('commitmentId', w.id, 'valueId', i.value_id, 'asOf', i.as_of, 'value', w.amount, 'note', null, 'replaces', null)
    where w.what in ('accept', 'own')
    union all
    select 0, 'value_returned', 'sec',
           jsonb_build_object('commitmentId', w.id, 'valueId', i.value_id, 'commentId', i.comment_id, 'comment', 'Please check the figure against the source.')
    where w.what = 'return'
    union all
    select 1, 'value_submitted', 'fp',
           jsonb_build_object('commitmentId', w.id, 'valueId', i.corrected_id, 'value', w.amount, 'asOf', i.as_of, 'round', r.code,
                              'late', coalesce((w.ts at time zone 'UTC')::date > r.deadline, false),
                              'supersedes', i.value_id, 'note', 'corrected', 'evidence', '[]'::jsonb, 'evidenceUrl', null)
    where w.what = 'return'
    union all
    select 2, 'value_accepted', 'sec',
           jsonb_build_object('commitmentId', w.id, 'valueId', i.corrected_id, 'asOf', i.as_of, 'value', w.amount, 'note', null, 'replaces', null)
    where w.what = 'return'
  ) x;
create temp table hs on commit drop as
  select (select max(seq_id) from mt_events) + row_number() over (order by h.v, h.n, h.sub) as seq,
         c.version + row_number() over (partition by h.id order by h.v, h.sub) as version, h.*
  from h join c on c.id = h.id;
insert into mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name, correlation_id)
  select seq, gen_random_uuid(), id, version, data, type, ts, '*DEFAULT*',
         'Strategy.Domain.Commitments.' || case type when 'commitment_status_changed' then 'CommitmentStatusChanged'
                                                     when 'value_submitted' then 'ValueSubmitted'
                                                     when 'value_accepted' then 'ValueAccepted'
                                                     when 'value_returned' then 'ValueReturned' end || ', Strategy.Domain',
         case actor when 'fp' then jsonb_build_object('actor-name', 'Bench focal point ' || country, 'actor-role', 'focal-point', 'actor-country', country)
                    else '{"actor-name": "Bench secretariat", "actor-role": "secretariat"}'::jsonb end,
         case actor when 'fp' then 'focal-point-' || lower(country) else 'secretariat' end, 'bench-history'
  from hs;
-- The threads' messages written when a value was returned (the comment views the inline projection keeps; the
-- `rebuild` command does not write them).
insert into mt_doc_commentview (id, data, mt_last_modified, mt_dotnet_type, mt_version, commitment_id)
  select (data->>'commentId')::uuid,
         jsonb_build_object('id', data->>'commentId', 'commitmentId', id, 'text', data->>'comment', 'valueId', data->>'valueId', 'return', true,
                            'postedAt', to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
                            'postedBy', '{"id": "secretariat", "name": "Bench secretariat", "role": "secretariat", "country": null}'::jsonb),
         ts, 'Strategy.Infrastructure.Projections.CommentView', 1, id
  from hs where type = 'value_returned';
update mt_streams s set version = x.version, timestamp = x.ts
  from (select id, max(version) as version, max(ts) as ts from hs group by id) x where x.id = s.id;
select setval('mt_events_sequence', (select max(seq_id) from mt_events));
commit;
analyze;
