// The evaluation's SQL against real PostgreSQL, through a real sink: incidents and outbox rows
// written in the write's transaction, exactly once whatever is redelivered or raced.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSink } from '@sitewatch/pg-sink';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { alertingSink, checks, incidents, notifications } from './helpers.js';

let pg: TestPostgres;
let setup: Awaited<ReturnType<typeof alertingSink>>;
const channels = {
  hook: { type: 'webhook', url: 'http://127.0.0.1:9/never' },
  chat: { type: 'slack', url: 'http://127.0.0.1:9/never' },
} as const;

beforeAll(async () => {
  pg = await startTestPostgres();
  setup = await alertingSink(pg.url, {
    channels,
    rules: [
      { targets: ['quorum-*'], quorum: 2 },
      { targets: ['quiet-*'], channels: ['hook'] },
      { targets: ['raced'], quorum: 1 },
    ],
    maintenance: [{ targets: ['maintained'], start: new Date(Date.now() - 7_200_000).toISOString(), end: new Date(Date.now() + 7_200_000).toISOString() }],
  });
});

afterAll(async () => {
  await setup?.close();
  await pg?.close();
});

describe('evaluation in the write transaction', () => {
  it('opens one incident after three failures, with one down per channel, and resolves it once with the duration', async () => {
    const run = checks('shop', 'uudddduu');
    await setup.sink.write(run.slice(0, 4));
    expect(await incidents(pg.sql, 'shop')).toEqual([]);
    await setup.sink.write(run.slice(4, 5));
    const [opened] = await incidents(pg.sql, 'shop');
    expect(opened).toMatchObject({ openedAt: new Date(run[2]!.startedAt), resolvedAt: null, locations: ['eu-west'], reason: 'status', inMaintenance: false });
    // The same batch again, and overlapping ones: nothing changes.
    await setup.sink.write(run.slice(0, 5));
    await setup.sink.write(run.slice(3, 7));
    expect(await incidents(pg.sql, 'shop')).toHaveLength(1);
    expect((await incidents(pg.sql, 'shop'))[0]!.resolvedAt).toBeNull();
    await setup.sink.write(run);
    const [resolved] = await incidents(pg.sql, 'shop');
    expect(resolved!.resolvedAt).toEqual(new Date(run[6]!.startedAt));
    const sent = await notifications(pg.sql, 'shop');
    expect(sent.map((n) => [n.kind, n.channels])).toEqual([
      ['down', ['chat', 'hook']],
      ['resolved', ['chat', 'hook']],
    ]);
    expect(sent[1]!.payload).toMatchObject({ event: 'resolved', target: 'shop', incident: { durationMs: 4 * 60_000, locations: ['eu-west'], statusCode: 503 } });
    const [target] = await pg.sql`select open_incident from sitewatch.alert_targets where target = 'shop'`;
    expect(target!.open_incident).toBeNull();
  });

  it('with quorum 2: one location failing alone opens nothing; both failing open one incident naming both', async () => {
    await setup.sink.write([...checks('quorum-api', 'uudddd', { location: 'eu' }), ...checks('quorum-api', 'uuuuuu', { location: 'us', offsetMs: 1000 })]);
    expect(await incidents(pg.sql, 'quorum-api')).toEqual([]);
    await setup.sink.write(checks('quorum-api', 'ddd', { location: 'us', offsetMs: 1000, from: 6 }));
    await setup.sink.write(checks('quorum-api', 'dd', { location: 'eu', from: 6 }));
    expect(await incidents(pg.sql, 'quorum-api')).toEqual([expect.objectContaining({ locations: ['eu', 'us'], resolvedAt: null })]);
  });

  it('notifies only the channels of the rule that matches, and nothing in a maintenance window (recorded, marked)', async () => {
    await setup.sink.write(checks('quiet-blog', 'ddd'));
    expect((await notifications(pg.sql, 'quiet-blog')).map((n) => n.channels)).toEqual([['hook']]);
    await setup.sink.write(checks('maintained', 'ddduu'));
    expect(await incidents(pg.sql, 'maintained')).toEqual([expect.objectContaining({ inMaintenance: true, notifiedAt: null, resolvedAt: expect.any(Date) })]);
    expect((await notifications(pg.sql, 'maintained')).map((n) => [n.kind, n.channels])).toEqual([
      ['down', []],
      ['resolved', []],
    ]);
  });

  it('flapping against the thresholds: incidents where the rules say', async () => {
    // 3 failures open, 2 successes resolve; a lone success in between keeps it open.
    await setup.sink.write(checks('flappy', 'dddudduuddduudu'));
    const rows = await incidents(pg.sql, 'flappy');
    expect(rows.map((r) => [r.resolvedAt === null ? 'open' : 'resolved'])).toEqual([['resolved'], ['resolved']]);
    expect((await notifications(pg.sql, 'flappy')).map((n) => n.kind)).toEqual(['down', 'resolved', 'down', 'resolved']);
  });

  it("reads a location's last time back exactly, also one whose epoch seconds a float8 cannot hold exactly", async () => {
    // 2038-05-10T07:58:21.023Z: date_part('epoch', ...) * 1000 reads it back as ...022.9998.
    const at = Date.parse('2038-05-10T07:58:21.023Z');
    const run = [at, at + 60_000, at + 120_000].map((ms) => {
      const startedAt = new Date(ms).toISOString();
      return makeCheckResult({ targetId: 'far-off', url: 'https://far-off.test/', probeId: 'eu-west', startedAt, scheduledAt: startedAt, outcome: 'down', reason: 'status', statusCode: 503, error: { code: 'HTTP_503', message: 'Service Unavailable' } });
    });
    for (const result of run) await setup.sink.write([result]);
    const [state] = await pg.sql<{ failures: number; intervalMs: string }[]>`select failures, interval_ms as "intervalMs" from sitewatch.alert_locations where target = 'far-off'`;
    expect(state).toEqual({ failures: 3, intervalMs: '60000' });
    expect(await incidents(pg.sql, 'far-off')).toEqual([expect.objectContaining({ openedAt: new Date(at), resolvedAt: null })]);
  });

  it("rewrites a location's state within its page (fillfactor 50: a HOT update), not on another page as a full page would", async () => {
    // More rows than a page holds, so the first one's page is filled up to the fillfactor.
    const targets = Array.from({ length: 100 }, (_, i) => `roomy-${String(i).padStart(3, '0')}`);
    await setup.sink.write(targets.flatMap((target) => checks(target, 'u')));
    const page = async () => (await pg.sql<{ page: string }[]>`select (ctid::text::point)[0]::text as page from sitewatch.alert_locations where target = ${targets[0]!}`)[0]!.page;
    const first = await page();
    for (let minute = 1; minute <= 5; minute++) {
      await setup.sink.write(checks(targets[0]!, 'u', { from: minute }));
      expect(await page()).toBe(first);
    }
  });

  it('opens one incident when writers of the same target race', async () => {
    const writers = Array.from({ length: 4 }, () => createSink({ url: pg.url, onInserted: setup.alerts.evaluate }));
    try {
      // Each writer stores a different location's failures at the same time (quorum 1).
      await Promise.all(writers.map((writer, i) => writer.write(checks('raced', 'ddd', { location: `probe-${i}`, offsetMs: i }))));
      const rows = await incidents(pg.sql, 'raced');
      expect(rows).toHaveLength(1);
      expect((await notifications(pg.sql, 'raced')).map((n) => n.kind)).toEqual(['down']);
    } finally {
      await Promise.all(writers.map((writer) => writer.close()));
    }
  });

  it('stores the results even when evaluating them fails for good, and counts the batch', async () => {
    await pg.sql`alter table sitewatch.alert_locations rename to alert_locations_away`;
    try {
      const batch = checks('broken', 'ddd');
      expect(await setup.sink.write(batch)).toMatchObject({ inserted: 3 });
      expect(setup.alerts.stats().skippedBatches).toBe(1);
      expect(await incidents(pg.sql, 'broken')).toEqual([]);
    } finally {
      await pg.sql`alter table sitewatch.alert_locations_away rename to alert_locations`;
    }
  });
});
