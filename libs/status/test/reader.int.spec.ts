// The read model against real PostgreSQL, read as a role that may only SELECT: known
// results are stored through the real sink, and uptime, quantiles, daily bars, the current
// state per location and incidents must equal what this test computes from those results;
// once the alerts' tables are there, with the known alerts' state, so must the degraded
// states, the slow days and the certificates.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isSitewatchError, type CheckResult } from '@sitewatch/schema';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import { certificateDaysLeft, createStatusReader, dayKey, lastDays, lastUtcDays, statusErrorCodes, type StatusReader } from '../src/index.js';
import { knownCertificateDays, knownSlowDays } from '../../../tools/testing/status-alerts-data.js';
import { expectedFigures, knownData, ofDay, readOnlyRole, resultMaker, store, storeIncidents, withinSketch } from '../../../tools/testing/status-data.js';

const now = new Date();
let db: TestPostgres;
let ro: Awaited<ReturnType<typeof readOnlyRole>>;
let reader: StatusReader;
let results: CheckResult[];

beforeAll(async () => {
  db = await startTestPostgres();
  results = knownData(now);
  await store(db.url, results);
  ro = await readOnlyRole(db.sql, db.url);
  reader = createStatusReader({ sql: ro.sql, now: () => now });
});

afterAll(async () => {
  await reader?.close();
  await ro?.close();
  await db?.close();
});

const of = (target: string) => results.filter((r) => r.targetId === target);
// A few targets are read directly; many (here 24: the four known ones and 20 never stored) through
// what the reader keeps of finished days and hours. Both must give the same figures.
const known = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
const many = [...known, ...Array.from({ length: 20 }, (_, i) => `unknown-${i}`)];
const paths = [
  ['read directly', known],
  ['read through what the reader keeps', many],
] as const;

describe('the read-only role', () => {
  it('cannot write', async () => {
    await expect(ro.sql`delete from sitewatch.rollups_daily`).rejects.toMatchObject({ code: '42501' });
  });
});

describe('targets', () => {
  it('lists every target with its latest URL', async () => {
    const targets = await reader.targets();
    expect(targets.map((t) => t.id)).toEqual(['alpha', 'beta', 'delta', 'epsilon', 'gamma', 'zeta']);
    expect(targets[0]!.url).toBe('https://alpha.test/path?token=secret-alpha');
  });
});

describe('daily bars', () => {
  it.each(paths)('has 90 UTC days per target whose checks, uptime, p95 and reasons equal the raw results of each day (%s)', async (_path, ids) => {
    const bars = await reader.daily(90, ids);
    const days = lastUtcDays(90, now).map(dayKey);
    expect([...bars.keys()]).toEqual(ids);
    for (const target of ids) {
      const series = bars.get(target)!;
      expect(series.map((b) => b.day)).toEqual(days);
      for (const bar of series) {
        const expected = expectedFigures(ofDay(of(target), bar.day));
        expect({ day: bar.day, checks: bar.checks, up: bar.up, reasons: bar.reasons }).toEqual({ day: bar.day, checks: expected.checks, up: expected.up, reasons: expected.reasons });
        expect(bar.uptimePct).toBe(expected.uptimePct);
        expect(withinSketch(bar.p95Ms, expected.p95Ms)).toBe(true);
        // No alerts' tables yet: no time degraded.
        expect(bar.degradedMs).toBe(0);
      }
    }
    const alpha = bars.get('alpha')!;
    expect(alpha[89 - 10]!.uptimePct).toBe(0);
    expect(alpha[89 - 3]!.uptimePct).toBe(75);
    expect(bars.get('delta')!.every((b) => b.checks === 0)).toBe(true);
  });

  it('gives every target with rows when no ids are given', async () => {
    const bars = await reader.daily(7);
    expect([...bars.keys()].sort()).toEqual(['alpha', 'beta', 'epsilon', 'gamma', 'zeta']);
  });
});

describe('summaries', () => {
  it.each(paths.flatMap(([path, ids]) => [1, 7, 30, 90].map((days) => [days, path, ids] as const)))('over the last %i days equal the raw results of the window, by whole hours (%s)', async (days, _path, ids) => {
    const range = lastDays(days, now);
    const found = await reader.summaries(range, ids);
    // Every target asked for, in no promised order.
    expect([...found.keys()].sort()).toEqual([...ids].sort());
    for (const target of ids) {
      const inRange = of(target).filter((r) => new Date(r.startedAt) >= range.from && new Date(r.startedAt) < range.to);
      const expected = expectedFigures(inRange);
      const summary = found.get(target)!;
      expect({ target, checks: summary.checks, up: summary.up, reasons: summary.reasons }).toEqual({ target, checks: expected.checks, up: expected.up, reasons: expected.reasons });
      expect(summary.uptimePct).toBe(expected.uptimePct);
      expect(withinSketch(summary.p50Ms, expected.p50Ms)).toBe(true);
      expect(withinSketch(summary.p95Ms, expected.p95Ms)).toBe(true);
    }
  });

  it('of one target over any range, edges included', async () => {
    const range = { from: new Date(now.getTime() - 50.5 * 3_600_000), to: new Date(now.getTime() - 3 * 3_600_000) };
    const hourStart = (d: Date) => Math.floor(d.getTime() / 3_600_000) * 3_600_000;
    // A bucket counts when it starts in the range: rows from the hour after from's hour (from is mid-hour) to before to's hour... as the sink buckets them.
    const inRange = of('beta').filter((r) => {
      const bucket = hourStart(new Date(r.startedAt));
      return bucket >= range.from.getTime() && bucket < range.to.getTime();
    });
    const summary = await reader.summary('beta', range);
    expect(summary.checks).toBe(inRange.length);
    expect(summary.up).toBe(inRange.filter((r) => r.outcome === 'up').length);
  });

  it('rejects a range that is not one', async () => {
    const error = await reader.summary('alpha', { from: now, to: new Date(now.getTime() - 1) }).catch((e: unknown) => e);
    expect(isSitewatchError(error, statusErrorCodes) && error.code).toBe('ERR_STATUS_INVALID_QUERY');
    expect((error as Error).message).not.toMatch(/select|sitewatch\./i);
  });
});

describe('late results', () => {
  it('for a finished day or hour show in the next read, through either path', async () => {
    await reader.daily(90, many);
    await reader.summaries(lastDays(1, now), many);
    const make = resultMaker(11);
    const late = [
      make('alpha', new Date(now.getTime() - 3 * 86_400_000), { down: true }),
      make('gamma', new Date(now.getTime() - 5 * 3_600_000)),
      make('beta', new Date(Math.max(Math.floor(now.getTime() / 3_600_000) * 3_600_000, now.getTime() - 1000)), { down: true }),
    ];
    await store(db.url, late);
    results.push(...late);
    for (const [, ids] of paths) {
      const bars = await reader.daily(90, ids);
      for (const r of late) {
        const bar = bars.get(r.targetId)!.find((b) => b.day === r.startedAt.slice(0, 10))!;
        expect({ target: r.targetId, checks: bar.checks, reasons: bar.reasons }).toEqual({ target: r.targetId, checks: of(r.targetId).filter((x) => x.startedAt.slice(0, 10) === bar.day).length, reasons: expectedFigures(ofDay(of(r.targetId), bar.day)).reasons });
      }
      const range = lastDays(1, now);
      const day = await reader.summaries(range, ids);
      for (const target of ['beta', 'gamma']) {
        const inRange = of(target).filter((r) => new Date(r.startedAt) >= range.from && new Date(r.startedAt) < range.to);
        expect({ target, checks: day.get(target)!.checks }).toEqual({ target, checks: inRange.length });
      }
    }
  });
});

describe('current state', () => {
  it('is the latest check of each reporting location', async () => {
    const current = await reader.current(known);
    const alpha = current.get('alpha')!;
    expect(alpha.state).toBe('partial');
    expect(alpha.locations.map((l) => [l.location, l.outcome])).toEqual([
      ['eu-west', 'up'],
      ['us-east', 'down'],
    ]);
    expect(alpha.locations[1]!.reason).toMatch(/^(timeout|connect|status)$/);
    expect(current.get('beta')!.state).toBe('down');
    expect(current.get('gamma')!.state).toBe('unknown');
    expect(current.get('delta')).toEqual({ state: 'unknown', locations: [], certificate: null });
    // Without the alerts' tables: no location degraded, the certificates of the latest https checks.
    expect(current.get('epsilon')!.state).toBe('up');
    expect(current.get('epsilon')!.locations.map((l) => [l.location, l.state])).toEqual([
      ['eu-west', 'up'],
      ['us-east', 'up'],
    ]);
    const days = (id: string) => {
      const certificate = current.get(id)!.certificate;
      return certificate && [certificate.source, certificateDaysLeft(certificate.notAfter, now)];
    };
    expect(['alpha', 'epsilon', 'zeta', 'gamma', 'beta'].map(days)).toEqual([['check', 40], ['check', 10], ['check', -1], null, null]);
  });
});

describe('incidents', () => {
  it('are none before the alerts are migrated, then read from their table', async () => {
    expect(await reader.incidents()).toEqual([]);
    await store(db.url, [], { alerts: true });
    await db.sql`grant select on all tables in schema sitewatch to ${db.sql(new URL(ro.url).username)}`;
    await storeIncidents(db.sql, now);
    const open = await reader.incidents();
    expect(open.map((i) => [i.target, i.kind, i.resolvedAt, i.escalatedAt !== null])).toEqual([
      ['zeta', 'down', null, true],
      ['epsilon', 'degraded', null, false],
      ['beta', 'down', null, false],
    ]);
    // The alerts' own row shape, the id a number as in their webhook body.
    const [stored] = await db.sql<{ id: string }[]>`select id::text from sitewatch.incidents where target = 'beta'`;
    const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(open[2]).toEqual({
      id: Number(stored!.id),
      kind: 'down',
      target: 'beta',
      url: 'https://beta.test/?token=x',
      openedAt: new Date(now.getTime() - 6 * 3_600_000),
      resolvedAt: null,
      reason: 'status',
      statusCode: 503,
      errorCode: 'HTTP_503',
      errorMessage: 'secret error text',
      locations: ['eu-west'],
      firstCheckId: uuid,
      lastCheckId: uuid,
      inMaintenance: false,
      escalatedAt: null,
      slow: null,
    });
    expect(open[1]!.slow).toEqual({ responseTimeMs: 2310, limitMs: 1000, rule: 'absolute', phases: { dnsMs: 4, tcpMs: 9, tlsMs: 21, ttfbMs: 1900, downloadMs: 376 } });
    const recent = await reader.incidents({ since: new Date(now.getTime() - 90 * 86_400_000) });
    expect(recent.map((i) => i.target)).toEqual(['zeta', 'epsilon', 'beta', 'alpha', 'epsilon', 'epsilon']);
    expect(await reader.incidents({ since: new Date(0), targets: ['alpha'] })).toHaveLength(1);
  });

  it("are none while the incidents table is older than the alerts' migration 00003 (no kind)", async () => {
    await db.sql`create schema older`;
    await db.sql`create table older.incidents (id bigint, target text)`;
    const older = createStatusReader({ sql: db.sql, schema: 'older' });
    expect([await older.hasIncidents(), await older.incidents()]).toEqual([false, []]);
    await db.sql`drop schema older cascade`;
  });
});

describe("with the alerts' state", () => {
  it('a location the alerts hold degraded is degraded while its latest check is up, and so is a target with a degraded incident open', async () => {
    const current = await reader.current(known);
    expect(current.get('epsilon')!.state).toBe('degraded');
    expect(current.get('epsilon')!.locations.map((l) => [l.location, l.state])).toEqual([
      ['eu-west', 'degraded'],
      ['us-east', 'up'],
    ]);
    // Down outranks degraded: zeta's incident was escalated; alpha has one location down.
    expect(['alpha', 'beta', 'zeta', 'gamma', 'delta'].map((id) => current.get(id)!.state)).toEqual(['partial', 'down', 'down', 'unknown', 'unknown']);
    expect([...(await reader.current()).keys()].sort()).toEqual(['alpha', 'beta', 'epsilon', 'zeta']);
  });

  it("gives each target's certificate: its latest https check's, else the alerts' (gamma's checks are stale)", async () => {
    const current = await reader.current(known);
    for (const [id, days] of Object.entries(knownCertificateDays)) {
      const certificate = current.get(id)!.certificate!;
      expect([id, certificate.source, certificateDaysLeft(certificate.notAfter, now)]).toEqual([id, id === 'gamma' ? 'alerts' : 'check', days]);
    }
    expect(current.get('beta')!.certificate).toBeNull();
  });

  it.each(paths)('marks the days a degraded incident was open, or an escalated one before it went down, with the time degraded (%s)', async (_path, ids) => {
    const bars = await reader.daily(90, ids);
    for (const target of ids) {
      const slow = knownSlowDays(target, now);
      expect({ target, days: bars.get(target)!.flatMap((bar) => (bar.degradedMs > 0 ? [bar.day] : [])) }).toEqual({ target, days: [...slow].sort() });
    }
    const epsilon = new Map(bars.get('epsilon')!.map((bar) => [bar.day, bar.degradedMs]));
    expect(epsilon.get(dayKey(new Date(now.getTime() - 5 * 86_400_000)))).toBe(3 * 3_600_000);
    expect(epsilon.get(dayKey(new Date(now.getTime() - 20 * 86_400_000)))).toBe(2 * 3_600_000);
    expect(epsilon.get(dayKey(new Date(now.getTime() - 21 * 86_400_000)))).toBe(2 * 3_600_000);
    // Figures from the rollups are unchanged.
    for (const bar of bars.get('epsilon')!) expect([bar.day, bar.checks]).toEqual([bar.day, ofDay(of('epsilon'), bar.day).length]);
  });
});

describe('errors', () => {
  it('checks options and rejects after close', async () => {
    const invalid = (() => {
      try {
        return createStatusReader({ sql: ro.sql, staleAfterMs: 5 });
      } catch (error) {
        return error;
      }
    })();
    expect(invalid).toMatchObject({ code: 'ERR_STATUS_INVALID_OPTIONS', problems: [{ path: '/staleAfterMs' }] });
    const closed = createStatusReader({ sql: ro.sql });
    await closed.close();
    await expect(closed.targets()).rejects.toMatchObject({ code: 'ERR_STATUS_CLOSED' });
  });

  it('maps a database failure to ERR_STATUS_QUERY without SQL text', async () => {
    const wrong = createStatusReader({ sql: ro.sql, schema: 'nowhere' });
    const error = (await wrong.targets().catch((e: unknown) => e)) as Error & { code: string; sqlState: string };
    expect(error.code).toBe('ERR_STATUS_QUERY');
    expect(error.sqlState).toBe('42P01');
    expect(error.message).not.toMatch(/select/i);
  });
});
