-- Fewer bytes per stored check, so a day of checks takes less disk: 168 bytes each before
-- this, table and index together.
--
-- 1. The idempotency key is the id alone, unique in each daily partition, instead of a
--    primary key (id, checked_at) on the parent: 8 bytes less in every index entry. A
--    result delivered again has the same checked_at, so it lands in the same partition and
--    meets its first copy there; `on conflict do nothing` (no target) uses that index.
--    PostgreSQL allows a unique index on a partitioned parent only with the partition key
--    in it, so the sink creates the index with each partition (partitions.ts).
-- 2. The certificate expiry is catalogued: a site's certificate is the same for weeks, so
--    a row holds a 4-byte certificates.id instead of the 8-byte timestamp (with the row
--    alignment, 8 bytes less per https row). check_results.tls_not_after stays for rows
--    stored before this migration and is null in newer ones (a null costs nothing: the row
--    has a null bitmap anyway); the view `results` reads either, with the same columns.

create table certificates (
  id integer generated always as identity primary key,
  -- Not-after of a server certificate (CheckResult.tlsNotAfter).
  not_after timestamptz not null unique,
  first_seen timestamptz not null default now()
);

alter table check_results add column certificate_id integer;

alter table check_results drop constraint check_results_pkey;

do $$
declare
  part record;
begin
  for part in
    select c.relname as name
    from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      join pg_class p on p.oid = i.inhparent
    where p.oid = 'check_results'::regclass
  loop
    execute format('create unique index if not exists %I on %I (id)', part.name || '_id_key', part.name);
  end loop;
end
$$;

create or replace view results as
  select r.id, r.checked_at, t.key as target, s.url, p.key as probe,
    case when r.reason is null then 'up' else 'down' end as outcome,
    f.name as reason, r.status, r.response_ms,
    r.dns_ms, r.tcp_ms, r.tls_ms, r.ttfb_ms, r.download_ms,
    s.must_match, r.must_match_hit, s.must_not_match, r.must_not_match_hit,
    coalesce(c.not_after, r.tls_not_after) as tls_not_after,
    r.bytes_read, r.redirects, r.schedule_lag_ms, r.error_code, r.error_message
  from check_results as r
  join target_settings as s on s.id = r.settings_id
  join targets as t on t.id = s.target_id
  join probes as p on p.id = r.probe_id
  left join failure_reasons as f on f.id = r.reason
  left join certificates as c on c.id = r.certificate_id;
