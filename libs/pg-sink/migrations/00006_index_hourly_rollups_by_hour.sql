-- Hourly rollups by hour, for readers of every target at once (a status page's last 24 hours,
-- this hour's rows): the primary key (target_id, bucket) serves one target's range, but a
-- range of hours for all targets was a scan of the whole monthly partition (720,000 rows for
-- 1,000 targets), 35 ms and growing through the month; with this index it reads the rows of
-- those hours alone (2 ms). A row is added once per target and hour; updates of a row keep
-- their bucket, so they stay HOT. Daily rollups have 30 rows a target a month: a scan is cheap.
create index rollups_hourly_bucket on rollups_hourly (bucket);
