// Partitions ahead and retention, with a clock the test sets.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { createSink, type Sink } from '../src/index.js';
import { startTestPostgres, type TestPostgres } from '../src/testing.js';
import { waitFor } from '../../../tools/testing/wait-for.js';
import { countResults } from './helpers.js';

let pg: TestPostgres;
let sink: Sink;
let clock = new Date('2026-03-15T10:00:00Z');
const day = 86_400_000;

async function partitions(): Promise<string[]> {
  const rows = await pg.sql<{ name: string }[]>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent join pg_namespace n on n.oid = p.relnamespace
    where n.nspname = 'sitewatch' order by 1`;
  return rows.map((r) => r.name);
}

const checkAt = (iso: string) => makeCheckResult({ targetId: 'site', startedAt: iso, scheduledAt: iso, responseTimeMs: 50 });

beforeAll(async () => {
  pg = await startTestPostgres();
  sink = createSink({ url: pg.url, rawRetentionDays: 3, hourlyRetentionDays: 40, dailyRetentionDays: 70, partitionsAhead: 2, now: () => clock });
  await sink.migrate();
});

afterAll(async () => {
  await sink.close();
  await pg.close();
});

describe('partitions', () => {
  it('are created from yesterday to partitionsAhead days ahead, once', async () => {
    expect(await sink.ensurePartitions()).toEqual([
      'check_results_20260314',
      'check_results_20260315',
      'check_results_20260316',
      'check_results_20260317',
      'rollups_daily_202603',
      'rollups_hourly_202603',
    ]);
    expect(await sink.ensurePartitions()).toEqual([]);
    expect(await sink.ensurePartitions(new Date('2026-03-31T23:00:00Z'))).toEqual([
      'check_results_20260330',
      'check_results_20260331',
      'check_results_20260401',
      'check_results_20260402',
      'rollups_daily_202604',
      'rollups_hourly_202604',
    ]);
  });

  it('are dropped whole, exactly those past the retention age, while the rollups keep their days', async () => {
    // Raw retention 3 days at March 15: March 12 00:00 onwards is kept.
    const written = await sink.write(['2026-03-11T23:59:59Z', '2026-03-12T00:00:00Z', '2026-03-12T12:00:00Z', '2026-03-13T08:00:00Z', '2026-03-15T09:00:00Z'].map(checkAt));
    expect(written).toEqual({ inserted: 4, duplicates: 0, expired: 1 });
    expect(await partitions()).toContain('check_results_20260312');
    expect(await sink.applyRetention()).toEqual([]);

    clock = new Date('2026-03-17T10:00:00Z');
    expect(await sink.applyRetention()).toEqual(['check_results_20260312', 'check_results_20260313']);
    expect(await partitions()).toEqual(expect.arrayContaining(['check_results_20260314', 'rollups_daily_202603', 'rollups_hourly_202603']));
    expect(await countResults(pg.sql)).toBe(1);
    const march = await sink.summary({ targetId: 'site', from: new Date('2026-03-12T00:00:00Z'), to: new Date('2026-03-16T00:00:00Z') });
    expect(march).toMatchObject({ checks: 4, up: 4, maxMs: 50 });
  });

  it('of rollups go by month: hourly after hourlyRetentionDays, daily after dailyRetentionDays', async () => {
    // Hourly kept 40 days: on May 10, March (ending April 1) is still within (horizon March 31).
    expect(await sink.applyRetention(new Date('2026-05-10T00:00:00Z'))).toEqual([
      'check_results_20260314',
      'check_results_20260315',
      'check_results_20260316',
      'check_results_20260317',
      'check_results_20260330',
      'check_results_20260331',
      'check_results_20260401',
      'check_results_20260402',
    ]);
    expect(await sink.applyRetention(new Date('2026-05-12T00:00:00Z'))).toEqual(['rollups_hourly_202603']);
    clock = new Date('2026-05-12T00:00:00Z');
    const days = await sink.summary({ targetId: 'site', from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') });
    expect(days).toMatchObject({ checks: 4, up: 4 });
    // Daily kept 70 days: March goes once June 10 is past.
    expect(await sink.applyRetention(new Date('2026-06-10T00:00:00Z'))).toEqual(['rollups_daily_202603', 'rollups_hourly_202604']);
    expect(await sink.applyRetention(new Date('2026-06-10T00:00:00Z'))).toEqual([]);
  });

  it('that the sink did not name are never dropped', async () => {
    await pg.sql`create table sitewatch.check_results_archive partition of sitewatch.check_results for values from ('2020-01-01') to ('2020-02-01')`;
    expect(await sink.applyRetention(new Date('2030-01-01T00:00:00Z'))).not.toContain('check_results_archive');
    expect(await partitions()).toContain('check_results_archive');
  });

  it('are recreated after one vanished behind the sink, on the next attempt', async () => {
    clock = new Date();
    const first = checkAt(new Date(clock.getTime() - 2 * 3_600_000).toISOString());
    await sink.write([first]);
    const name = `check_results_${first.startedAt.slice(0, 10).replaceAll('-', '')}`;
    await pg.sql`drop table ${pg.sql(`sitewatch.${name}`)}`;
    const error = await sink.write([checkAt(first.startedAt.replace(/:\d\d\./, ':01.'))]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_SINK_WRITE', retriable: true, sqlState: '23514' });
    expect(await sink.write([checkAt(first.startedAt.replace(/:\d\d\./, ':02.'))])).toMatchObject({ inserted: 1 });
  });
});

describe('maintenance', () => {
  it('runs at once and then every interval until close()', async () => {
    let calls = 0;
    const local = await startTestPostgres();
    const maintained = createSink({ url: local.url, maintenanceIntervalMs: 1000, now: () => (calls++, new Date(Date.now() + calls * day)) });
    try {
      await maintained.migrate();
      await maintained.startMaintenance();
      const afterFirst = calls;
      expect(afterFirst).toBeGreaterThanOrEqual(2);
      await waitFor('a second maintenance round', () => calls > afterFirst, 5000, 20);
    } finally {
      await maintained.close();
    }
    // An absence cannot be awaited: give a stopped timer one interval to (not) fire.
    const settled = calls;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(calls).toBe(settled);
    await local.close();
  });
});
