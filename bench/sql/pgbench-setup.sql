-- The pgbench baseline's tables: copies of the service's stream, event, commitment write model, commitment view and
-- value tables (same columns, defaults, indexes and constraints) in a schema of their own, the streams, write models
-- and views with their rows, so each transaction does the SQL work of one write on the same shapes without touching
-- the service's data.
drop schema if exists bench_pg cascade;
create schema bench_pg;
create table bench_pg.mt_streams (like strategy.mt_streams including all);
create table bench_pg.mt_events (like strategy.mt_events including all);
create table bench_pg.mt_doc_commitment (like strategy.mt_doc_commitment including all);
create table bench_pg.mt_doc_commitmentview (like strategy.mt_doc_commitmentview including all);
create table bench_pg.mt_doc_valueview (like strategy.mt_doc_valueview including all);
insert into bench_pg.mt_streams select * from strategy.mt_streams where type = 'commitment';
insert into bench_pg.mt_doc_commitment select * from strategy.mt_doc_commitment;
insert into bench_pg.mt_doc_commitmentview select * from strategy.mt_doc_commitmentview;
create sequence bench_pg.mt_events_sequence;
create table bench_pg.commitments as select row_number() over (order by id)::int as n, id from bench_pg.mt_streams;
alter table bench_pg.commitments add primary key (n);
analyze;
