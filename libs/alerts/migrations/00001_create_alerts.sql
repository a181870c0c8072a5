-- Alerts: the state of each target and location, incidents, and the outbox of notifications
-- with one delivery per channel. Applied by pg-sink's migration runner into the sink's schema
-- (search_path set to it), recorded in alerts_migrations. Targets and locations are the
-- CheckResult's targetId and probeId, as text.

-- One row per target, created when it is first seen: locked by each write transaction that evaluates its results,
-- so two writers of one target (a consumer that lost its partition and has not noticed yet)
-- take turns. open_incident is the target's open incident, if any.
create table alert_targets (
  target text primary key,
  open_incident bigint
);

-- One row per target and location: what the state machine remembers (see evaluate.ts).
create table alert_locations (
  target text not null,
  location text not null,
  failing boolean not null,
  failures integer not null,
  successes integer not null,
  streak_started_at timestamptz not null,
  streak_first_check_id uuid not null,
  failing_since timestamptz,
  failing_since_check_id uuid,
  last_at timestamptz not null,
  last_check_id uuid not null,
  interval_ms bigint,
  -- The latest down check: { at, checkId, failure: { reason, statusCode?, error? } }.
  last_failure jsonb,
  primary key (target, location)
);

-- One row per incident: opened when the target went down, resolved when it came back.
-- Times are those of the checks (opened_at: the first failing check; resolved_at: the first
-- up check of the recovery), not of the evaluation.
create table incidents (
  id bigint generated always as identity primary key,
  target text not null,
  url text not null,
  opened_at timestamptz not null,
  resolved_at timestamptz,
  -- Failure reason of the latest failing check when it opened (CheckResult.reason), and the rest of it.
  reason text not null,
  status_code integer,
  error_code text,
  error_message text,
  -- Locations failing while it was open.
  locations text[] not null,
  first_check_id uuid not null,
  last_check_id uuid not null,
  -- Opened inside a maintenance window: its "down" is sent only if it outlasts the window.
  in_maintenance boolean not null,
  -- When its "down" deliveries were queued; null while held back by maintenance.
  notified_at timestamptz,
  -- Reminders: the next one due, and how many were queued.
  next_reminder_at timestamptz,
  reminders integer not null default 0,
  created_at timestamptz not null default now(),
  check (resolved_at is null or resolved_at >= opened_at)
);

-- At most one open incident per target, whatever races.
create unique index incidents_open_target on incidents (target) where resolved_at is null;
create index incidents_target_opened on incidents (target, opened_at desc);

-- The outbox: one row per notification (a transition, or a reminder), written in the
-- transaction that decided it. payload is the webhook body (README), kept as written.
create table notifications (
  id bigint generated always as identity primary key,
  incident_id bigint not null references incidents (id),
  -- The incident's target: a target's notifications go out in order on each channel.
  target text not null,
  kind text not null check (kind in ('down', 'reminder', 'resolved')),
  payload json not null,
  created_at timestamptz not null default now()
);

create index notifications_incident on notifications (incident_id, id);
create index notifications_target on notifications (target, id);

-- One row per notification and channel: the notifier's work queue. idempotency_key is sent
-- with every attempt (Idempotency-Key header, email Message-ID), so a receiver can drop a
-- repeat. next_attempt_at doubles as a lease while an attempt is in flight.
create table deliveries (
  notification_id bigint not null references notifications (id),
  channel text not null,
  idempotency_key uuid not null default gen_random_uuid() unique,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  sent_at timestamptz,
  abandoned_at timestamptz,
  last_error text,
  primary key (notification_id, channel)
);

create index deliveries_due on deliveries (channel, next_attempt_at) where sent_at is null and abandoned_at is null;
