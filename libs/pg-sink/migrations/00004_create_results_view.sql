-- The raw results as a person reads them: names instead of ids, outcome spelled out.
--   select * from sitewatch.results where target = 'example-com' order by checked_at desc limit 20;
create view results as
  select r.id, r.checked_at, t.key as target, s.url, p.key as probe,
    case when r.reason is null then 'up' else 'down' end as outcome,
    f.name as reason, r.status, r.response_ms,
    r.dns_ms, r.tcp_ms, r.tls_ms, r.ttfb_ms, r.download_ms,
    s.must_match, r.must_match_hit, s.must_not_match, r.must_not_match_hit,
    r.tls_not_after, r.bytes_read, r.redirects, r.schedule_lag_ms, r.error_code, r.error_message
  from check_results as r
  join target_settings as s on s.id = r.settings_id
  join targets as t on t.id = s.target_id
  join probes as p on p.id = r.probe_id
  left join failure_reasons as f on f.id = r.reason;
