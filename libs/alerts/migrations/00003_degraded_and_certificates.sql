-- Degraded, not only down: a second kind of incident (the target up but slow), the slow runs
-- of each location, the relative rule's verdict per target, and certificate notices. Adding
-- columns with constant defaults rewrites no table.

-- An incident is of a kind: down, or degraded (up but slow). A degraded incident that goes down
-- is the same incident, escalated: its kind becomes down and escalated_at says when. A
-- degraded incident's reason is 'slow', and slow holds its latest slow check:
-- { responseTimeMs, limitMs, rule, phases }.
alter table incidents
  add column kind text not null default 'down' check (kind in ('down', 'degraded')),
  add column escalated_at timestamptz,
  add column slow jsonb;

-- The slow runs of a location (see location-state.ts): degraded after slowThreshold
-- consecutive slow checks, until successThreshold fast ones; pace_since is the first check of
-- the current run of slow or fast checks.
alter table alert_locations
  add column degraded boolean not null default false,
  add column slows integer not null default 0,
  add column fasts integer not null default 0,
  add column pace_since timestamptz,
  add column pace_since_check_id uuid,
  add column degraded_since timestamptz,
  add column degraded_since_check_id uuid,
  add column last_slow jsonb;

-- relative_slow: set while the target's last hour is slow against its own past (the relative
-- rule, refreshed by the notifier's housekeeping from the rollups): { since, recentP95Ms,
-- baselineP95Ms, limitMs }; its up checks are slow meanwhile. certificate_not_after: the
-- certificate of its latest https check (to see a renewed one), and certificate_notice the
-- tightest notice sent about it: the warnDays threshold, 0 once expired, null for none.
alter table alert_targets
  add column relative_slow jsonb,
  add column certificate_not_after timestamptz,
  add column certificate_notice integer;

-- Notifications about certificates belong to no incident.
alter table notifications alter column incident_id drop not null;
alter table notifications drop constraint notifications_kind_check;
alter table notifications add constraint notifications_kind_check
  check (kind in ('down', 'reminder', 'resolved', 'degraded', 'recovered', 'certificate_expiring', 'certificate_expired', 'certificate_renewed'));

-- One row per notice sent about a certificate (a target's, named by its notAfter): the key
-- makes each notice once, across redeliveries, restarts and writers. threshold_days is the
-- warnDays threshold of an 'expiring' notice (0 for the others).
create table certificate_notices (
  target text not null,
  not_after timestamptz not null,
  event text not null check (event in ('expiring', 'expired', 'renewed')),
  threshold_days integer not null default 0,
  notification_id bigint references notifications (id),
  created_at timestamptz not null default now(),
  primary key (target, not_after, event, threshold_days)
);
