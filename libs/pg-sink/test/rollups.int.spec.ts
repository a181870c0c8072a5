// Rollup values against what the raw rows say: counts, uptime and maximum exactly,
// quantiles within the sketch's relative accuracy of nearest-rank quantiles computed here.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { failureReasons, type CheckResult, type FailureReason } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { createSink, quantileRelativeAccuracy, type Sink, type Summary } from '../src/index.js';
import { sketchBin } from '../src/lib/sketch.js';
import { startTestPostgres, type TestPostgres } from '../src/testing.js';
import { seededRandom } from '../../../tools/testing/random.js';
import { makeResults, rollupSnapshot } from './helpers.js';

let pg: TestPostgres;
let sink: Sink;
const hourMs = 3_600_000;
// Three days of data ending in the current hour, starting mid-day.
const end = Math.ceil(Date.now() / hourMs) * hourMs;
const start = end - 60 * hourMs;
let batches: CheckResult[][];

beforeAll(async () => {
  pg = await startTestPostgres();
  sink = createSink({ url: pg.url });
  await sink.migrate();
  const results = makeResults(6000, { start: new Date(start), spanMs: end - start, seed: 7, targets: 3, downRate: 0.08 });
  // Shuffled into batches, so most hours receive data again after they were first rolled up.
  const next = seededRandom(11);
  const shuffled = results.map((r) => [next(), r] as const).sort(([a], [b]) => a - b).map(([, r]) => r);
  batches = Array.from({ length: Math.ceil(shuffled.length / 700) }, (_, i) => shuffled.slice(i * 700, (i + 1) * 700));
  for (const batch of batches) await sink.write(batch);
});

afterAll(async () => {
  await sink.close();
  await pg.close();
});

interface RawRow {
  reason: FailureReason | null;
  ms: number;
}

async function rawRows(target: string, from: number, to: number): Promise<RawRow[]> {
  return pg.sql<RawRow[]>`
    select f.name as reason, r.response_ms::double precision as ms
    from sitewatch.check_results r
      join sitewatch.target_settings s on s.id = r.settings_id
      join sitewatch.targets t on t.id = s.target_id
      left join sitewatch.failure_reasons f on f.id = r.reason
    where t.key = ${target} and r.checked_at >= ${new Date(from)} and r.checked_at < ${new Date(to)}`;
}

function nearestRank(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

function expectSummaryMatches(summary: Summary, rows: RawRow[]): void {
  const up = rows.filter((r) => r.reason === null).map((r) => r.ms).sort((a, b) => a - b);
  expect(summary.checks).toBe(rows.length);
  expect(summary.up).toBe(up.length);
  expect(summary.uptimePct).toBeCloseTo((100 * up.length) / rows.length, 10);
  expect(summary.maxMs).toBe(up.at(-1));
  expect(summary.meanMs).toBeCloseTo(up.reduce((a, b) => a + b, 0) / up.length, 6);
  for (const [q, estimate] of [
    [0.5, summary.p50Ms],
    [0.95, summary.p95Ms],
    [0.99, summary.p99Ms],
  ] as const) {
    const exact = nearestRank(up, q);
    expect(Math.abs(estimate! - exact) / exact).toBeLessThanOrEqual(quantileRelativeAccuracy + 1e-9);
  }
  const reasons = Object.fromEntries(failureReasons.map((reason) => [reason, rows.filter((r) => r.reason === reason).length]));
  expect(summary.reasons).toEqual(reasons);
}

describe('rollups', () => {
  it.each([
    ['the whole span', 0, 60],
    ['whole days plus partial days at both ends', 5, 57],
    ['a range within one day', 30, 34],
    ['a single hour', 59, 60],
  ])('match the raw rows over %s', async (_name, fromHour, toHour) => {
    const from = start + fromHour * hourMs;
    const to = start + toHour * hourMs;
    for (const target of ['target-0', 'target-1', 'target-2']) {
      const summary = await sink.summary({ targetId: target, from: new Date(from), to: new Date(to) });
      expectSummaryMatches(summary, await rawRows(target, from, to));
    }
  });

  it('answer "uptime and p95 over 90 days" in one query on the daily rollups', async () => {
    const [row] = await pg.sql<{ uptime: number; p95: number; max: number }[]>`
      select sum(up) * 100.0 / sum(checks) as uptime, sitewatch.sketch_quantile(sitewatch.counts_sum(bins), 0.95) as p95, max(max_ms) as max
      from sitewatch.rollups_daily d join sitewatch.targets t on t.id = d.target_id
      where t.key = 'target-1' and bucket >= now() - interval '90 days'`;
    const summary = await sink.summary({ targetId: 'target-1', from: new Date(end - 90 * 24 * hourMs), to: new Date(end) });
    expect(Number(row!.uptime)).toBeCloseTo(summary.uptimePct!, 10);
    expect(Math.min(row!.p95, row!.max)).toBeCloseTo(summary.p95Ms!, 10);
  });

  it('report an unknown target or an empty range as no checks', async () => {
    const none = await sink.summary({ targetId: 'nobody', from: new Date(start), to: new Date(end) });
    expect(none).toMatchObject({ checks: 0, up: 0, uptimePct: null, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null, meanMs: null });
    expect(Object.values(none.reasons).every((n) => n === 0)).toBe(true);
    const empty = await sink.summary({ targetId: 'target-0', from: new Date(end + hourMs), to: new Date(end + 2 * hourMs) });
    expect(empty.checks).toBe(0);
  });

  it('stay unchanged when every batch is delivered again', async () => {
    const before = await rollupSnapshot(pg.sql);
    for (const batch of batches) expect((await sink.write(batch)).inserted).toBe(0);
    expect(await rollupSnapshot(pg.sql)).toEqual(before);
  });

  it('take in late data for an hour already rolled up', async () => {
    const hour = start + 10 * hourMs;
    const at = (minute: number, ms: number) => makeCheckResult({ targetId: 'late', startedAt: new Date(hour + minute * 60_000).toISOString(), responseTimeMs: ms });
    await sink.write([at(50, 100), at(51, 110), at(52, 120)]);
    const first = await sink.summary({ targetId: 'late', from: new Date(hour), to: new Date(hour + hourMs) });
    expect(first).toMatchObject({ checks: 3, up: 3, maxMs: 120 });
    await sink.write([at(5, 900), at(6, 950), makeCheckResult({ ...at(7, 30_000), outcome: 'down', reason: 'timeout' })]);
    const second = await sink.summary({ targetId: 'late', from: new Date(hour), to: new Date(hour + hourMs) });
    expectSummaryMatches(second, await rawRows('late', hour, hour + hourMs));
    expect(second).toMatchObject({ checks: 6, up: 5, maxMs: 950, reasons: expect.objectContaining({ timeout: 1 }) });
  });

  it('add up exactly when two writers update the same rollup rows at once', async () => {
    const other = createSink({ url: pg.url });
    const results = makeResults(4000, { start: new Date(end - 2 * hourMs), spanMs: 2 * hourMs, seed: 21, targets: 4 }).map((r) => ({ ...r, targetId: `busy-${r.targetId}` }));
    const chunks = Array.from({ length: 16 }, (_, i) => results.slice(i * 250, (i + 1) * 250));
    const outcomes = await Promise.all(chunks.map((chunk, i) => (i % 2 === 0 ? sink : other).write(chunk)));
    await other.close();
    expect(outcomes.reduce((sum, o) => sum + o.inserted, 0)).toBe(4000);
    let checks = 0;
    for (let t = 0; t < 4; t++) checks += (await sink.summary({ targetId: `busy-target-${t}`, from: new Date(end - 2 * hourMs), to: new Date(end) })).checks;
    expect(checks).toBe(4000);
  });

  it('bin response times in the writer as the SQL function sketch_bin does', async () => {
    const next = seededRandom(5);
    const values = Array.from({ length: 2000 }, () => Math.fround(10 ** (next() * 8 - 3)));
    const rows = await pg.sql<{ bin: number }[]>`select sitewatch.sketch_bin(v) as bin from unnest(${`{${values.join(',')}}`}::real[]) with ordinality as u (v, n) order by n`;
    // JavaScript's and the C library's logarithms may round the last bit apart, which
    // matters only for a value on a bin boundary (both bins are then within 1%).
    const onBoundary = (v: number) => Math.abs(Math.log(v) / Math.log(1.01 / 0.99) - Math.round(Math.log(v) / Math.log(1.01 / 0.99))) < 1e-9;
    const differing = values.filter((v, i) => rows[i]!.bin !== sketchBin(v) && !onBoundary(v));
    expect(differing).toEqual([]);
  });
});
