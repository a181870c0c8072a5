// The read model against real PostgreSQL, read as a role that may only SELECT: known
// results are stored through the real sink, and uptime, quantiles, daily bars, the current
// state per location and incidents must equal what this test computes from those results.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isSitewatchError, type CheckResult } from '@sitewatch/schema';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import { createStatusReader, dayKey, lastDays, lastUtcDays, statusErrorCodes, type StatusReader } from '../src/index.js';
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
const known = ['alpha', 'beta', 'gamma', 'delta'];
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
    expect(targets.map((t) => t.id)).toEqual(['alpha', 'beta', 'delta', 'gamma']);
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
      }
    }
    const alpha = bars.get('alpha')!;
    expect(alpha[89 - 10]!.uptimePct).toBe(0);
    expect(alpha[89 - 3]!.uptimePct).toBe(75);
    expect(bars.get('delta')!.every((b) => b.checks === 0)).toBe(true);
  });

  it('gives every target with rows when no ids are given', async () => {
    const bars = await reader.daily(7);
    expect([...bars.keys()].sort()).toEqual(['alpha', 'beta', 'gamma']);
  });
});

describe('summaries', () => {
  it.each(paths.flatMap(([path, ids]) => [1, 7, 30, 90].map((days) => [days, path, ids] as const)))('over the last %i days equal the raw results of the window, by whole hours (%s)', async (days, _path, ids) => {
    const range = lastDays(days, now);
    const found = await reader.summaries(range, ids);
    expect([...found.keys()]).toEqual(ids);
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
    const current = await reader.current(['alpha', 'beta', 'gamma', 'delta']);
    const alpha = current.get('alpha')!;
    expect(alpha.state).toBe('partial');
    expect(alpha.locations.map((l) => [l.location, l.outcome])).toEqual([
      ['eu-west', 'up'],
      ['us-east', 'down'],
    ]);
    expect(alpha.locations[1]!.reason).toMatch(/^(timeout|connect|status)$/);
    expect(current.get('beta')!.state).toBe('down');
    expect(current.get('gamma')!.state).toBe('unknown');
    expect(current.get('delta')).toEqual({ state: 'unknown', locations: [] });
  });
});

describe('incidents', () => {
  it('are none before the alerts are migrated, then read from their table', async () => {
    expect(await reader.incidents()).toEqual([]);
    await store(db.url, [], { alerts: true });
    await db.sql`grant select on all tables in schema sitewatch to ${db.sql(new URL(ro.url).username)}`;
    await storeIncidents(db.sql, now);
    const open = await reader.incidents();
    expect(open.map((i) => [i.target, i.resolvedAt])).toEqual([['beta', null]]);
    // The alerts' own row shape, the id a number as in their webhook body.
    const [stored] = await db.sql<{ id: string }[]>`select id::text from sitewatch.incidents where target = 'beta'`;
    const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(open[0]).toEqual({
      id: Number(stored!.id),
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
    });
    const recent = await reader.incidents({ since: new Date(now.getTime() - 90 * 86_400_000) });
    expect(recent.map((i) => i.target)).toEqual(['beta', 'alpha']);
    expect(await reader.incidents({ since: new Date(0), targets: ['alpha'] })).toHaveLength(1);
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
