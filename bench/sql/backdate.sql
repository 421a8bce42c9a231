-- Dates the seeded demo plan (and the rounds opened on it) back to the plan's start (one second per event from 2023-01-01), so the generated
-- history that follows it lies in the past. The audit chain over the old timestamps is dropped; the daemon rechains.
set search_path to strategy;
begin;
update mt_events set timestamp = '2023-01-01T00:00:00Z'::timestamptz + seq_id * interval '1 second';
update mt_streams s set created = x.first, timestamp = x.last
from (select stream_id, min(timestamp) first, max(timestamp) last from mt_events group by stream_id) x where x.stream_id = s.id;
-- The rounds' views keep the time they were opened.
update mt_doc_roundview v set data = jsonb_set(data, '{openedAt}', to_jsonb(x.first))
from (select stream_id, min(timestamp) first from mt_events group by stream_id) x where x.stream_id = v.id;
-- The plan's view keeps its first and last event times (the commitment views are rebuilt from the events later).
update mt_doc_planview v set data = jsonb_set(jsonb_set(data, '{createdAt}', to_jsonb(x.first)), '{lastUpdatedAt}', to_jsonb(x.last))
from (select stream_id, min(timestamp) first, max(timestamp) last from mt_events group by stream_id) x where x.stream_id = v.id;
delete from mt_doc_auditlink;
delete from mt_doc_auditchainhead;
delete from mt_event_progression where name like 'AuditChain%';
commit;
