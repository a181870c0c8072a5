// Partitions ahead, retention and packing closed days, with a clock the test sets.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { createSink, type Sink } from '../src/index.js';
import { startTestPostgres, type TestPostgres } from '../src/testing.js';
import { waitFor } from '../../../tools/testing/wait-for.js';
import { seededRandom } from '../../../tools/testing/random.js';
import { countResults, makeResults, rollupSnapshot } from './helpers.js';

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

describe('packing closed days', () => {
  /** The id index of a raw partition: its size, options and whether it is a valid unique index; and leftovers of a pack. */
  async function idIndex(sql: TestPostgres['sql'], partition: string) {
    const [row] = await sql<{ bytes: number; options: string[] | null; unique: boolean; valid: boolean }[]>`
      select pg_relation_size(i.oid)::integer as bytes, i.reloptions as options, x.indisunique as unique, x.indisvalid as valid
      from pg_class i join pg_index x on x.indexrelid = i.oid join pg_namespace n on n.oid = i.relnamespace
      where n.nspname = 'sitewatch' and i.relname = ${`${partition}_id_key`}`;
    const leftovers = await sql`select 1 from pg_class where relname = ${`${partition}_id_packed`}`;
    return { ...row!, leftovers: leftovers.length };
  }

  it('rebuilds full the id index of each day ended an hour ago, unique as before, and leaves open and empty days alone', async () => {
    const local = await startTestPostgres();
    let now = new Date('2026-03-15T00:30:00Z');
    // A pool of one: the pack must not wait for a second connection.
    const packer = createSink({ url: local.url, rawRetentionDays: 10, poolSize: 1, now: () => now });
    try {
      await packer.migrate();
      await packer.ensurePartitions();
      // A day of results stored in random order of id, as concurrent writers store them: the index fills about 70%.
      const shuffle = seededRandom(7);
      const day14 = makeResults(20_000, { start: new Date('2026-03-14T00:00:00Z'), spanMs: day - 1, targets: 50 })
        .map((result) => ({ result, key: shuffle() }))
        .sort((a, b) => a.key - b.key)
        .map(({ result }) => result);
      for (let i = 0; i < day14.length; i += 1000) await packer.write(day14.slice(i, i + 1000));
      const before = await idIndex(local.sql, 'check_results_20260314');
      await packer.write(makeResults(500, { start: new Date('2026-03-15T00:00:00Z'), spanMs: 1_800_000, seed: 2 }));
      await packer.write(makeResults(500, { start: new Date('2026-03-17T00:00:00Z'), spanMs: day - 1, seed: 3 }));

      expect(await packer.packClosedPartitions()).toEqual([]); // the day ended 30 minutes ago
      now = new Date('2026-03-15T01:00:00Z');
      expect(await packer.packClosedPartitions()).toEqual(['check_results_20260314']);
      const after = await idIndex(local.sql, 'check_results_20260314');
      expect(after).toMatchObject({ options: ['fillfactor=100'], unique: true, valid: true, leftovers: 0 });
      expect(after.bytes).toBeLessThan(before.bytes * 0.8);
      expect((await idIndex(local.sql, 'check_results_20260315')).options).toBeNull();

      // Still the idempotency key: a redelivered batch changes nothing.
      const rollups = await rollupSnapshot(local.sql);
      expect(await packer.write(day14.slice(0, 5000))).toEqual({ inserted: 0, duplicates: 5000, expired: 0 });
      expect(await rollupSnapshot(local.sql)).toEqual(rollups);
      expect(await countResults(local.sql)).toBe(21_000);
      expect(await packer.packClosedPartitions()).toEqual([]);

      // What an interrupted pack left behind is dropped, and the pack done.
      await local.sql`create index check_results_20260315_id_packed on sitewatch.check_results_20260315 (id)`;
      now = new Date('2026-03-16T01:00:00Z');
      expect(await packer.packClosedPartitions()).toEqual(['check_results_20260315']);
      expect(await idIndex(local.sql, 'check_results_20260315')).toMatchObject({ options: ['fillfactor=100'], valid: true, leftovers: 0 });

      // A closed day without rows is left for later (a backlog may still fill it).
      now = new Date('2026-03-17T01:00:00Z');
      expect(await packer.packClosedPartitions()).toEqual([]);
      await packer.write(makeResults(100, { start: new Date('2026-03-16T00:00:00Z'), spanMs: day - 1, seed: 4 }));

      // A partition another process is packing (it holds the lock) is skipped, and packed later.
      const other = await local.sql.reserve();
      await other`select pg_advisory_lock(hashtextextended('sitewatch:pack:sitewatch.check_results_20260316', 0))`;
      expect(await packer.packClosedPartitions()).toEqual([]);
      await other`select pg_advisory_unlock(hashtextextended('sitewatch:pack:sitewatch.check_results_20260316', 0))`;
      other.release();
      expect(await packer.packClosedPartitions()).toEqual(['check_results_20260316']);

      // A swap that fails (here an object that depends on the old index): rolled back, the old
      // index kept, the connection usable; the next pack drops what this one built and succeeds.
      await packer.write(makeResults(100, { start: new Date('2026-03-18T00:00:00Z'), spanMs: day - 1, seed: 5 }));
      now = new Date('2026-03-18T01:00:00Z');
      expect(await packer.packClosedPartitions()).toEqual(['check_results_20260317']);
      await local.sql`create table sitewatch.pins (id uuid references sitewatch.check_results_20260318 (id))`;
      now = new Date('2026-03-19T01:00:00Z');
      await expect(packer.packClosedPartitions()).rejects.toMatchObject({ code: 'ERR_SINK_QUERY', sqlState: '2BP01' });
      expect(await idIndex(local.sql, 'check_results_20260318')).toMatchObject({ options: null, valid: true, leftovers: 1 });
      expect(await packer.write(makeResults(10, { start: new Date('2026-03-19T00:00:00Z'), spanMs: 1000, seed: 6 }))).toMatchObject({ inserted: 10 });
      await local.sql`drop table sitewatch.pins`;
      expect(await packer.packClosedPartitions()).toEqual(['check_results_20260318']);
      expect(await idIndex(local.sql, 'check_results_20260318')).toMatchObject({ options: ['fillfactor=100'], valid: true, leftovers: 0 });
    } finally {
      await packer.close();
    }
    // Maintenance packs in the background after its round.
    const maintained = createSink({ url: local.url, rawRetentionDays: 10, now: () => new Date('2026-03-20T01:00:00Z') });
    try {
      await maintained.startMaintenance();
      await waitFor('the 19th packed by maintenance', async () => (await idIndex(local.sql, 'check_results_20260319')).options !== null, 60_000, 50);
    } finally {
      await maintained.close();
      await local.close();
    }
  });
});
