// Degraded (up but slow) and certificate notices, evaluated in the write transaction against
// the real database: incidents and notifications exactly once, through redeliveries and a
// second writer.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import { makeCheckResult } from '@sitewatch/schema/testing';
import type { AlertingSink, CertificatePayload, IncidentPayload, NotificationPayload } from '../src/index.js';
import { createRelativeSlowness } from '../src/lib/relative-slow.js';
import { createRules } from '../src/lib/rules.js';
import { resolveAlertsOptions, type AlertsOptions } from '../src/lib/options.js';
import { createTables } from '../src/lib/tables.js';
import { alertingSink, checks, incidents, notifications } from './helpers.js';

let pg: TestPostgres;
let setup: AlertingSink;
const day = 86_400_000;
const options: Omit<AlertsOptions, 'sql' | 'schema' | 'logger'> = {
  channels: { hook: { type: 'webhook', url: 'http://127.0.0.1:9/never' } },
  defaults: { slowMs: 2000 },
  rules: [{ targets: ['relative-*'], slowFactor: 3 }],
};

beforeAll(async () => {
  pg = await startTestPostgres();
  setup = await alertingSink(pg.url, options);
});

afterAll(async () => {
  await setup?.close();
  await pg?.close();
});

/** Every notification of a target, incident or not, in order. */
const sent = (target: string) => pg.sql<{ kind: string; payload: NotificationPayload }[]>`select kind, payload from sitewatch.notifications where target = ${target} order by id`;
const incidentOf = (payload: NotificationPayload) => (payload as IncidentPayload).incident;
const certificateOf = (payload: NotificationPayload) => (payload as CertificatePayload).certificate;

describe('degraded', () => {
  it('opens one degraded incident after three slow checks and recovers it after two fast ones, saying which phase was slow', async () => {
    const run = checks('slow-shop', 'uusssuuu');
    await setup.sink.write(run);
    await setup.sink.write(run); // a redelivery: nothing more
    const [incident] = await incidents(pg.sql, 'slow-shop');
    expect(incident).toMatchObject({ kind: 'degraded', reason: 'slow', openedAt: new Date(run[2]!.startedAt), resolvedAt: new Date(run[5]!.startedAt) });
    const notes = await sent('slow-shop');
    expect(notes.map((n) => n.kind)).toEqual(['degraded', 'recovered']);
    expect(incidentOf(notes[0]!.payload)).toMatchObject({ kind: 'degraded', reason: 'slow', slow: { responseTimeMs: 5000, limitMs: 2000, rule: 'absolute', slowestPhase: 'first byte' } });
    expect(incidentOf(notes[1]!.payload).durationMs).toBe(3 * 60_000);
  });

  it('escalates a slow target that then fails: one degraded, one down, one resolved, and a single incident', async () => {
    await setup.sink.write(checks('slow-then-down', 'sss'));
    await setup.sink.write(checks('slow-then-down', 'ddduu', { from: 3 }));
    const rows = await incidents(pg.sql, 'slow-then-down');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'down', reason: 'status', escalatedAt: expect.any(Date), resolvedAt: expect.any(Date) });
    expect((await sent('slow-then-down')).map((n) => n.kind)).toEqual(['degraded', 'down', 'resolved']);
    expect((await notifications(pg.sql, 'slow-then-down'))[1]!.payload).toMatchObject({ event: 'down', incident: { kind: 'down', escalatedAt: expect.any(String) } });
  });

  it('treats every up check as slow while the relative rule holds for the target, from the rollups', async () => {
    const target = 'relative-api';
    // Six of the seven days before today of fast checks (the baseline), then a slow last hour
    // (which may fall in yesterday just after midnight: 25 of 625 checks leave the p95 fast).
    const today = Math.floor(Date.now() / day) * day;
    const baseline = Array.from({ length: 600 }, (_, i) => {
      const startedAt = new Date(today - 7 * day + i * (day / 100)).toISOString();
      return makeCheckResult({ targetId: target, url: 'https://relative.test/', probeId: 'eu-west', startedAt, scheduledAt: startedAt, responseTimeMs: 100 });
    });
    await setup.sink.write(baseline);
    await setup.sink.write(checks(target, 's'.repeat(25)).map((r) => ({ ...r, responseTimeMs: 900 })));
    const settings = resolveAlertsOptions({ ...options, sql: pg.sql });
    const relative = createRelativeSlowness({ sql: pg.sql, schema: 'sitewatch', tables: createTables(pg.sql, 'sitewatch'), rules: createRules(settings), now: () => new Date() });
    expect(await relative.refresh()).toBe(true);
    const [flag] = await pg.sql<{ verdict: Record<string, number> }[]>`select relative_slow as verdict from sitewatch.alert_targets where target = ${target}`;
    expect(flag!.verdict).toMatchObject({ limitMs: expect.any(Number), recentP95Ms: expect.any(Number) });
    expect(flag!.verdict.recentP95Ms).toBeGreaterThan(3 * flag!.verdict.baselineP95Ms!);
    // Fast checks by the absolute rule, slow by the relative one: degraded after three.
    await setup.sink.write(checks(target, 'uuu', { from: 30 }));
    expect(await incidents(pg.sql, target)).toEqual([expect.objectContaining({ kind: 'degraded', resolvedAt: null })]);
    expect(incidentOf((await sent(target))[0]!.payload).slow).toMatchObject({ rule: 'relative' });
  });
});

describe('certificate notices', () => {
  const inDays = (days: number) => new Date(Date.now() + days * day).toISOString();

  it('sends one notice at the tightest threshold, never again for that certificate, across redeliveries and a second writer', async () => {
    const notAfter = inDays(10);
    const first = checks('cert-shop', 'uuu', { tlsNotAfter: notAfter });
    await setup.sink.write(first);
    await setup.sink.write(first);
    await setup.sink.write(checks('cert-shop', 'uu', { from: 3, tlsNotAfter: notAfter }));
    const second = await alertingSink(pg.url, options);
    try {
      await second.sink.write(checks('cert-shop', 'uu', { from: 5, tlsNotAfter: notAfter }));
    } finally {
      await second.close();
    }
    const notes = await sent('cert-shop');
    expect(notes.map((n) => n.kind)).toEqual(['certificate_expiring']);
    expect(notes[0]!.payload).toMatchObject({ target: 'cert-shop', certificate: { notAfter: new Date(notAfter).toISOString(), thresholdDays: 14, previousNotAfter: null } });
    expect(notes[0]!.payload).not.toHaveProperty('incident');
  });

  it('starts over with a renewed certificate, and says so; an expired one gets its own notice', async () => {
    await setup.sink.write(checks('cert-renewed', 'u', { tlsNotAfter: inDays(5) }));
    await setup.sink.write(checks('cert-renewed', 'u', { from: 1, tlsNotAfter: inDays(95) }));
    await setup.sink.write(checks('cert-expired', 'u', { tlsNotAfter: inDays(-1) }));
    expect((await sent('cert-renewed')).map((n) => [n.kind, certificateOf(n.payload).thresholdDays])).toEqual([
      ['certificate_expiring', 7],
      ['certificate_renewed', null],
    ]);
    expect((await sent('cert-expired')).map((n) => n.kind)).toEqual(['certificate_expired']);
  });
});
