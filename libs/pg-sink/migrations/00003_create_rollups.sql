-- Per-target rollups per hour and per day, updated in the transaction that inserts the
-- raw rows, from the rows it inserted (late data included), kept far longer than raw
-- rows, in monthly partitions (rollups_hourly_YYYYMM, rollups_daily_YYYYMM) dropped whole when old.
--
-- Response times are those of up checks (a timeout's duration is the configured limit,
-- not a measurement). Their distribution is a DDSketch-style log histogram: bin i counts
-- the values v with gamma^(i-1) < v <= gamma^i, gamma = (1 + a) / (1 - a), a = 0.01
-- (the writer bins in JavaScript with the same formula as sketch_bin below).
-- Reporting a bin as 2 gamma^i / (gamma + 1) is within 1% of every value in it, so a
-- quantile read from the sketch is within 1% of the exact (nearest-rank) quantile.
-- Sketches of any buckets merge by adding counts per bin: over 90 days of one target,
--   select sum(up) * 100.0 / sum(checks), sketch_quantile(counts_sum(bins), 0.95)
--   from rollups_daily where target_id = $1 and bucket >= now() - interval '90 days';

-- The sketch bin of a response time in milliseconds (values under 1 microsecond share one bin).
create function sketch_bin(ms real) returns integer
  language sql immutable parallel safe
  return ceil(ln(greatest(ms::double precision, 0.001::double precision)) / ln(1.01::double precision / 0.99))::integer;

-- The value reported for a bin: within 1% of every value the bin holds.
create function sketch_value(bin integer) returns double precision
  language sql immutable parallel safe
  return 2 * power(1.01::double precision / 0.99, bin) / (1.01::double precision / 0.99 + 1);

-- Count vectors are dense integer arrays indexed by key, with the array's lower bound at
-- the first key ('[185:187]={2,NULL,1}': two values in bin 185, one in bin 187). Adding
-- b into a costs one step per element of b, whatever the size of a.
create function counts_add(a integer[], b integer[]) returns integer[]
  language plpgsql immutable parallel safe
as $$
declare
  i integer;
begin
  if b is null or cardinality(b) = 0 then return coalesce(a, '{}'); end if;
  if a is null or cardinality(a) = 0 then return b; end if;
  for i in array_lower(b, 1) .. array_upper(b, 1) loop
    if b[i] is not null then
      -- Assigning outside a's bounds extends it (with nulls in between).
      a[i] := coalesce(a[i], 0) + b[i];
    end if;
  end loop;
  return a;
end
$$;

-- Sum of count vectors over rows: counts_sum(bins) merges the sketches of many buckets.
create aggregate counts_sum(integer[]) (sfunc = counts_add, stype = integer[], initcond = '{}');

-- The nearest-rank quantile q (0..1) of a sketch, in milliseconds; null for an empty sketch.
create function sketch_quantile(bins integer[], q double precision) returns double precision
  language sql immutable parallel safe
begin atomic
  select sketch_value(k)
  from (
    select k, sum(bins[k]) over (order by k) as running, sum(bins[k]) over () as total
    from generate_subscripts(bins, 1) as k
    where bins[k] is not null
  ) as s
  where running >= greatest(1, ceil(q * total))
  order by k
  limit 1;
end;

create table rollups_hourly (
  -- Start of the hour (UTC).
  bucket timestamptz not null,
  target_id integer not null,
  checks integer not null,
  up integer not null,
  -- Sum and maximum of the up checks' response times (mean = sum_ms / up).
  sum_ms double precision not null,
  max_ms real,
  -- Sketch of the up checks' response times: count per bin, indexed by bin.
  bins integer[] not null,
  -- Down checks per failure reason, indexed by failure_reasons.id.
  reasons integer[] not null,
  primary key (target_id, bucket)
) partition by range (bucket);

create table rollups_daily (
  -- Start of the day (UTC).
  bucket timestamptz not null,
  target_id integer not null,
  checks integer not null,
  up integer not null,
  sum_ms double precision not null,
  max_ms real,
  bins integer[] not null,
  reasons integer[] not null,
  primary key (target_id, bucket)
) partition by range (bucket);

-- Readable views for ad-hoc SQL: one row per target and hour / day.
create view hourly_stats as
  select t.key as target, r.bucket, r.checks, r.up,
    round(100.0 * r.up / nullif(r.checks, 0), 3) as uptime_pct,
    least(sketch_quantile(r.bins, 0.5), r.max_ms) as p50_ms,
    least(sketch_quantile(r.bins, 0.95), r.max_ms) as p95_ms,
    least(sketch_quantile(r.bins, 0.99), r.max_ms) as p99_ms,
    r.max_ms
  from rollups_hourly as r join targets as t on t.id = r.target_id;

create view daily_stats as
  select t.key as target, r.bucket, r.checks, r.up,
    round(100.0 * r.up / nullif(r.checks, 0), 3) as uptime_pct,
    least(sketch_quantile(r.bins, 0.5), r.max_ms) as p50_ms,
    least(sketch_quantile(r.bins, 0.95), r.max_ms) as p95_ms,
    least(sketch_quantile(r.bins, 0.99), r.max_ms) as p99_ms,
    r.max_ms
  from rollups_daily as r join targets as t on t.id = r.target_id;
