-- Raw results, one row per check, in daily partitions (check_results_YYYYMMDD) that the
-- sink creates ahead of time and drops whole when they pass the retention age.
--
-- Columns are ordered by alignment (8-byte, 16-byte uuid, 4-byte, 2-byte, 1-byte, text)
-- so a row of an up check is about 80 bytes of data plus the 32-byte tuple header.
-- There are no foreign keys: per-row referential checks would cost more than the insert
-- itself; the writer only stores ids it has just looked up or created.
create table check_results (
  -- CheckResult.startedAt: the partition key.
  checked_at timestamptz not null,
  -- Expiry of the server's TLS certificate (https only).
  tls_not_after timestamptz,
  -- CheckResult.id, a UUIDv7: the idempotency key.
  id uuid not null,
  settings_id integer not null,
  response_ms real not null,
  dns_ms real,
  tcp_ms real,
  tls_ms real,
  ttfb_ms real,
  download_ms real,
  bytes_read integer not null,
  -- startedAt - scheduledAt, in milliseconds: how late the scheduler was.
  schedule_lag_ms integer not null,
  probe_id smallint not null,
  status smallint,
  -- failure_reasons.id; null exactly when the check was up.
  reason smallint,
  redirects smallint not null,
  -- Whether target_settings.must_match / must_not_match matched the body (null: no pattern).
  must_match_hit boolean,
  must_not_match_hit boolean,
  error_code text,
  error_message text,
  primary key (id, checked_at)
) partition by range (checked_at);
