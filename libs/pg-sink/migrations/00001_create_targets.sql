-- Who was checked, from where, and how: stored once and referenced by small integer ids
-- from every result row. The migration runner sets search_path to the sink's schema.

-- Why a check was down. The ids are stored in check_results.reason and in the rollups:
-- they never change; a new reason gets the next id in a new migration.
create table failure_reasons (
  id smallint primary key,
  name text not null unique
);

insert into failure_reasons (id, name) values
  (1, 'dns'), (2, 'connect'), (3, 'tls'), (4, 'timeout'), (5, 'status'),
  (6, 'body_mismatch'), (7, 'body_too_large'), (8, 'redirects'), (9, 'other');

-- One row per target id of the config (CheckResult.targetId). Rollups are kept per target.
create table targets (
  id integer generated always as identity primary key,
  key text not null unique,
  first_seen timestamptz not null default now()
);

-- What a target checked: its URL and body patterns. A new row whenever one of them
-- changes, so old results keep the settings they were checked with.
create table target_settings (
  id integer generated always as identity primary key,
  target_id integer not null references targets (id),
  -- Digest of (url, must_match, must_not_match), computed by the writer: the columns
  -- themselves can be too long for a unique btree entry.
  fingerprint uuid not null,
  url text not null,
  must_match text,
  must_not_match text,
  first_seen timestamptz not null default now(),
  unique (target_id, fingerprint)
);

-- Where checks ran from (CheckResult.probeId).
create table probes (
  id smallint generated always as identity primary key,
  key text not null unique,
  first_seen timestamptz not null default now()
);
