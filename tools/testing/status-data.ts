// Shared by the status integration tests (libs/status's and apps/status's): known results written
// through the real sink, what the rollups must then say computed from those results, and a
// read-only role to read them with.
import { randomBytes } from 'node:crypto';
import { createAlertingSink } from '@sitewatch/alerts';
import { createSink } from '@sitewatch/pg-sink';
import type { CheckResult, FailureReason } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import postgres from 'postgres';
import { seededRandom } from './random.js';
import { knownNotAfter, storeAlertStates } from './status-alerts-data.js';

const dayMs = 86_400_000;

/**
 * Stores `results` through pg-sink (raw rows and rollups), after migrating the sink and, with
 * `alerts`, the alerts' tables (made as the consumer makes them; nothing evaluated: incidents
 * come from `storeIncidents`).
 */
export async function store(url: string, results: readonly CheckResult[], options: { alerts?: boolean; now?: () => Date } = {}): Promise<void> {
  const settings = { url, rawRetentionDays: 120, hourlyRetentionDays: 400, ...(options.now ? { now: options.now } : {}) };
  const storage = options.alerts ? createAlertingSink({ sink: settings, alerts: { enabled: false } }) : undefined;
  const sink = storage?.sink ?? createSink(settings);
  try {
    await (storage ?? sink).migrate();
    for (let i = 0; i < results.length; i += 2000) await sink.write(results.slice(i, i + 2000));
  } finally {
    await (storage ?? sink).close();
  }
}

/** A generator of results with reproducible response times and failures. */
export function resultMaker(seed: number) {
  const next = seededRandom(seed);
  const reasons: FailureReason[] = ['timeout', 'connect', 'status'];
  return (targetId: string, at: Date, options: { down?: boolean; reason?: FailureReason; location?: string; url?: string; responseTimeMs?: number; tlsNotAfter?: Date } = {}): CheckResult => {
    const startedAt = at.toISOString();
    const responseTimeMs = Math.round(50 + 400 * next() * next() * 1000) / 1000;
    // A down check's reason is drawn even when given, so the results after it stay the same.
    const drawn = options.down ? reasons[Math.floor(next() * reasons.length)]! : undefined;
    return makeCheckResult({
      targetId,
      url: options.url ?? `https://${targetId}.test/path?token=secret-${targetId}`,
      probeId: options.location ?? 'eu-west',
      startedAt,
      scheduledAt: startedAt,
      responseTimeMs: options.responseTimeMs ?? responseTimeMs,
      ...(options.tlsNotAfter ? { tlsNotAfter: options.tlsNotAfter.toISOString() } : {}),
      ...(drawn ? { outcome: 'down', reason: options.reason ?? drawn, statusCode: 503, error: { code: 'HTTP_503', message: 'secret error text' } } : {}),
    });
  };
}

/** Nearest-rank quantile q of `values` (what the rollups' sketch approximates within 1%). */
export function exactQuantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].map((v) => Math.fround(v)).sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

/** Checks, up, uptime, p95 and reasons of `results` (one target) as the read model must report them. */
export function expectedFigures(results: readonly CheckResult[]) {
  const up = results.filter((r) => r.outcome === 'up');
  const reasons: Record<string, number> = {};
  for (const r of results) if (r.reason) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
  return {
    checks: results.length,
    up: up.length,
    uptimePct: results.length === 0 ? null : (100 * up.length) / results.length,
    p50Ms: exactQuantile(up.map((r) => r.responseTimeMs), 0.5),
    p95Ms: exactQuantile(up.map((r) => r.responseTimeMs), 0.95),
    reasons,
  };
}

/** The results of one UTC day (`YYYY-MM-DD`). */
export function ofDay(results: readonly CheckResult[], day: string): CheckResult[] {
  return results.filter((r) => r.startedAt.slice(0, 10) === day);
}

/** Whether `actual` is within 1% (the sketch's accuracy) of `expected`, both null or numbers. */
export function withinSketch(actual: number | null, expected: number | null): boolean {
  if (actual === null || expected === null) return actual === expected;
  return Math.abs(actual - expected) <= 0.0101 * expected;
}

/**
 * Known data for `now`: `alpha` checked every 2 hours for 95 days from two locations, down on
 * days 10, 40 and 41 before today (all checks) and for one check in four on day 3; `beta` checked
 * hourly for the last 20 days, down for its last 6 checks (status 503); `gamma` checked hourly until 2 hours
 * before now (stale, http); `delta` never checked in the last 90 days; `epsilon` checked every 2
 * hours for 30 days, its latest checks up from eu-west (slow: 2.31 s) and us-east; `zeta` checked
 * hourly for 10 days, its latest check down (timeout). The https checks of alpha, epsilon and zeta carry
 * the certificates of `knownCertificateDays` (40, 10, -1 days).
 */
export function knownData(now: Date): CheckResult[] {
  const make = resultMaker(7);
  const today = Math.floor(now.getTime() / dayMs) * dayMs;
  const results: CheckResult[] = [];
  const start = today - 95 * dayMs;
  let n = 0;
  for (let t = start; t <= now.getTime() - 60_000; t += 2 * 3_600_000) {
    const day = Math.floor((today - Math.floor(t / dayMs) * dayMs) / dayMs);
    const down = day === 10 || day === 40 || day === 41 || (day === 3 && n % 4 === 0);
    results.push(make('alpha', new Date(t), { down, tlsNotAfter: knownNotAfter('alpha', now) }));
    n += 1;
  }
  // The latest checks of each location: eu-west up, us-east down, both recent.
  results.push(make('alpha', new Date(now.getTime() - 30_000), { location: 'eu-west', tlsNotAfter: knownNotAfter('alpha', now) }));
  results.push(make('alpha', new Date(now.getTime() - 20_000), { location: 'us-east', down: true }));
  const betaFrom = now.getTime() - 20 * dayMs;
  const betaTimes = [];
  for (let t = betaFrom; t <= now.getTime() - 3_600_000; t += 3_600_000) betaTimes.push(t);
  betaTimes.push(now.getTime() - 120_000);
  betaTimes.forEach((t, i) => results.push(make('beta', new Date(t), { down: i >= betaTimes.length - 6, reason: 'status' })));
  for (let t = now.getTime() - 5 * dayMs; t <= now.getTime() - 2 * 3_600_000; t += 3_600_000) results.push(make('gamma', new Date(t), { url: 'http://gamma.test/' }));
  results.push(make('delta', new Date(today - 100 * dayMs)));
  const epsilon = { tlsNotAfter: knownNotAfter('epsilon', now) };
  for (let t = now.getTime() - 30 * dayMs; t <= now.getTime() - 3_600_000; t += 2 * 3_600_000) results.push(make('epsilon', new Date(t), epsilon));
  results.push(make('epsilon', new Date(now.getTime() - 40_000), { ...epsilon, location: 'eu-west', responseTimeMs: 2310 }));
  results.push(make('epsilon', new Date(now.getTime() - 50_000), { ...epsilon, location: 'us-east' }));
  const zeta = { tlsNotAfter: knownNotAfter('zeta', now) };
  for (let t = now.getTime() - 10 * dayMs; t <= now.getTime() - 3_600_000; t += 3_600_000) results.push(make('zeta', new Date(t), zeta));
  results.push(make('zeta', new Date(now.getTime() - 90_000), { ...zeta, down: true, reason: 'timeout' }));
  return results.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/**
 * Known incidents (the alerts' table must exist): `beta` open since 6 hours before `now`
 * (status 503, a URL with a token), `alpha` resolved 3 days ago after 1.5 hours (timeout);
 * both with the error text 'secret error text', which a page shows only when configured; and
 * the degraded and escalated ones, degraded locations and certificates of status-alerts-data.ts.
 */
export async function storeIncidents(sql: postgres.Sql, now: Date): Promise<void> {
  const opened = new Date(now.getTime() - 6 * 3_600_000);
  const old = new Date(now.getTime() - 3 * dayMs);
  await sql`
    insert into sitewatch.incidents (target, url, opened_at, resolved_at, reason, status_code, error_code, error_message, locations, first_check_id, last_check_id, in_maintenance)
    values ('beta', 'https://beta.test/?token=x', ${opened}, null, 'status', 503, 'HTTP_503', 'secret error text', '{eu-west}', gen_random_uuid(), gen_random_uuid(), false),
           ('alpha', 'https://alpha.test/', ${old}, ${new Date(old.getTime() + 5_400_000)}, 'timeout', null, 'ETIMEDOUT', 'secret error text', '{eu-west}', gen_random_uuid(), gen_random_uuid(), false)`;
  await storeAlertStates(sql, now);
}

/** A login role that may only read `schema` (the grants the README documents), and a client connected as it. */
export async function readOnlyRole(admin: postgres.Sql, databaseUrl: string, schema = 'sitewatch'): Promise<{ url: string; sql: postgres.Sql; close(): Promise<void> }> {
  const role = `status_ro_${randomBytes(5).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  // Both generated from hex digits: safe as an identifier and a literal.
  await admin.unsafe(`create role ${role} login password '${password}'`);
  await admin.unsafe(`grant usage on schema ${schema} to ${role}`);
  await admin.unsafe(`grant select on all tables in schema ${schema} to ${role}`);
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = password;
  const sql = postgres(url.toString(), { onnotice: () => undefined, max: 4 });
  let closing: Promise<void> | undefined;
  return {
    url: url.toString(),
    sql,
    close() {
      closing ??= (async () => {
        await sql.end({ timeout: 5 });
        await admin.unsafe(`drop owned by ${role}`);
        await admin.unsafe(`drop role ${role}`);
      })();
      return closing;
    },
  };
}

/**
 * Text a page must show as text, never run or parse as markup: a script, an event handler, a
 * closing style tag, both quotes, entity syntax, a `javascript:` URL and an astral character.
 */
export const hostile = `<script>alert(1)</script>"'</style><img src=x onerror=alert(2)>&amp;&💩javascript:alert(3)`;

/** A target whose every string is hostile, as stored and as a config names it. */
export interface HostileTarget {
  id: string;
  name: string;
  group: string;
  location: string;
  errorCode: string;
  errorMessage: string;
  /** The URL it was checked with. */
  url: string;
  /** A second location, whose latest check is up and which the alerts hold degraded. */
  slowLocation: string;
  /** The `slow` of a resolved degraded incident (incidents.slow, jsonb): numbers and a rule a page may show, or junk it must not. */
  slow: Record<string, unknown>;
}

/**
 * Two hostile targets: `h1 <hostile>` checked at an http URL holding `&`, `'` and a query, and
 * one whose id holds what a URL path treats specially (`/`, `..`, `?`, `#`, `%`) checked at a
 * `javascript:` URL (which a valid CheckResult cannot hold: a database written by something
 * else). Each: one failing check a minute before `now` from a hostile location, with hostile
 * error texts, and an open incident with those texts; an up check from a second hostile
 * location that the alerts hold degraded; and a resolved degraded incident whose `slow` has a
 * hostile phase name and value beside real figures (h1) or is junk throughout (h2).
 */
export const hostileTargets: readonly HostileTarget[] = [
  { id: `h1 ${hostile}`, url: "https://h1.test/it's&more?token=x&q='y'" },
  { id: `h2/../a?b=c#d%2F%41 ${hostile}`, url: 'javascript:alert(document.domain)//https://h2.test/' },
].map(({ id, url }, i) => ({
  id,
  url,
  name: `Name ${i + 1} ${hostile}`,
  group: `Group ${i + 1} ${hostile}`,
  location: `loc ${i + 1} ${hostile}`,
  errorCode: `E${i + 1}<b>"'&💩`,
  errorMessage: `error ${i + 1} ${hostile}`,
  slowLocation: `slow ${i + 1} ${hostile}`,
  slow:
    i === 0
      ? { responseTimeMs: 2500, limitMs: 1000, rule: 'relative', recentP95Ms: 2400, baselineP95Ms: 500, phases: { [hostile]: 99_999, dnsMs: hostile, ttfbMs: 2000 } }
      : { responseTimeMs: hostile, limitMs: 1000, rule: hostile, phases: hostile },
}));

/** Stores the hostile targets' checks (through the sink), incidents and degraded locations; the sink's and alerts' tables must exist. */
export async function storeHostile(url: string, sql: postgres.Sql, now: Date): Promise<CheckResult[]> {
  const at = new Date(now.getTime() - 60_000).toISOString();
  const results = hostileTargets.map((t) =>
    makeCheckResult({ targetId: t.id, url: t.url, probeId: t.location, startedAt: at, scheduledAt: at, outcome: 'down', reason: 'status', statusCode: 503, error: { code: t.errorCode, message: t.errorMessage } }),
  );
  const slow = hostileTargets.map((t) => makeCheckResult({ targetId: t.id, url: t.url, probeId: t.slowLocation, startedAt: at, scheduledAt: at }));
  await store(url, [...results, ...slow]);
  for (const [i, t] of hostileTargets.entries()) {
    const opened = new Date(now.getTime() - (i + 2) * 60_000);
    const earlier = new Date(now.getTime() - (i + 2) * 3_600_000);
    await sql`
      insert into sitewatch.incidents (target, url, kind, opened_at, resolved_at, reason, status_code, error_code, error_message, slow, locations, first_check_id, last_check_id, in_maintenance)
      values (${t.id}, ${t.url}, 'down', ${opened}, null, 'status', 503, ${t.errorCode}, ${t.errorMessage}, null, ${[t.location]}::text[], ${results[i]!.id}, ${results[i]!.id}, false),
             (${t.id}, ${t.url}, 'degraded', ${earlier}, ${new Date(earlier.getTime() + 1_800_000)}, 'slow', null, null, null, ${sql.json(t.slow as postgres.JSONValue)}, ${[t.slowLocation]}::text[], ${slow[i]!.id}, ${slow[i]!.id}, false)`;
    await sql`insert into sitewatch.alert_targets (target) values (${t.id})`;
    await sql`
      insert into sitewatch.alert_locations (target, location, failing, failures, successes, streak_started_at, streak_first_check_id, last_at, last_check_id, degraded)
      values (${t.id}, ${t.slowLocation}, false, 0, 5, ${now}, ${slow[i]!.id}, ${now}, ${slow[i]!.id}, true)`;
  }
  return results;
}
