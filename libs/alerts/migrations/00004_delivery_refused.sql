-- A delivery the service refused for good (an HTTP 4xx other than 408 and 429, an SMTP 5xx: a
-- revoked key, a chat that does not exist, a malformed request) is not tried again. It ends as
-- an abandoned one does (abandoned_at set, so it is no longer pending and no longer holds up
-- the later notifications of its target on its channel), refused telling the two apart, and
-- last_error holding the service's answer. last_error_at is when last_error was written.
alter table deliveries
  add column refused boolean not null default false,
  add column last_error_at timestamptz;
