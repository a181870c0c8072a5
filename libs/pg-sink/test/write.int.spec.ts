import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeCheckResult } from '@sitewatch/schema/testing';
import postgres from 'postgres';
import { createSink, type Sink } from '../src/index.js';
import { startTestPostgres, type TestPostgres } from '../src/testing.js';
import { countResults, makeResults, rollupSnapshot } from './helpers.js';

let pg: TestPostgres;
let sink: Sink;

beforeAll(async () => {
  pg = await startTestPostgres();
  sink = createSink({ url: pg.url });
  await sink.migrate();
});

afterAll(async () => {
  await sink.close();
  await pg.close();
});

const hourAgo = () => new Date(Date.now() - 3_600_000);

describe('write', () => {
  it('stores every field of a result, readable back through the results view', async () => {
    const down = makeCheckResult({
      targetId: 'shop',
      url: 'https://shop.test/cart',
      probeId: 'eu-west',
      scheduledAt: '2026-11-27T10:00:00.000Z',
      startedAt: new Date(Date.now() - 60_000).toISOString(),
      outcome: 'down',
      reason: 'body_mismatch',
      statusCode: 200,
      responseTimeMs: 123.25,
      phases: { dnsMs: 1.5, tcpMs: 2, ttfbMs: 100 },
      regex: { mustMatch: { pattern: 'Add to cart', matched: false }, mustNotMatch: { pattern: 'error', matched: true } },
      tlsNotAfter: '2027-03-01T12:00:00.000Z',
      bytesRead: 52_000,
      redirects: 2,
      error: { code: 'BODY_MISMATCH', message: 'body lacks "Add to cart", has {error}\\ \u0000' },
    });
    expect(await sink.write([down])).toEqual({ inserted: 1, duplicates: 0, expired: 0 });
    const [row] = await pg.sql`
      select id::text, checked_at, tls_not_after, target, url, must_match, must_not_match, probe, outcome,
        response_ms, dns_ms, tcp_ms, tls_ms, ttfb_ms, download_ms, bytes_read, schedule_lag_ms, status,
        reason, redirects, must_match_hit, must_not_match_hit, error_code, error_message
      from sitewatch.results where id = ${down.id}`;
    expect(row).toEqual({
      id: down.id,
      checked_at: new Date(down.startedAt),
      tls_not_after: new Date('2027-03-01T12:00:00.000Z'),
      target: 'shop',
      url: 'https://shop.test/cart',
      must_match: 'Add to cart',
      must_not_match: 'error',
      probe: 'eu-west',
      outcome: 'down',
      response_ms: 123.25,
      dns_ms: 1.5,
      tcp_ms: 2,
      tls_ms: null,
      ttfb_ms: 100,
      download_ms: null,
      bytes_read: 52_000,
      schedule_lag_ms: Date.parse(down.startedAt) - Date.parse(down.scheduledAt),
      status: 200,
      reason: 'body_mismatch',
      redirects: 2,
      must_match_hit: false,
      must_not_match_hit: true,
      error_code: 'BODY_MISMATCH',
      error_message: 'body lacks "Add to cart", has {error}\\ \uFFFD',
    });
  });

  it('changes nothing when the same batch arrives again', async () => {
    const batch = makeResults(500, { start: hourAgo(), spanMs: 3_000_000, seed: 2 });
    expect(await sink.write(batch)).toEqual({ inserted: 500, duplicates: 0, expired: 0 });
    const rows = await countResults(pg.sql);
    const rollups = await rollupSnapshot(pg.sql);
    expect(await sink.write(batch)).toEqual({ inserted: 0, duplicates: 500, expired: 0 });
    expect(await countResults(pg.sql)).toBe(rows);
    expect(await rollupSnapshot(pg.sql)).toEqual(rollups);
  });

  it('inserts only the new part of an overlapping batch, and a result repeated within a batch once', async () => {
    const [a, b, c] = makeResults(3, { start: hourAgo(), spanMs: 60_000, seed: 3 });
    expect(await sink.write([a!, b!])).toEqual({ inserted: 2, duplicates: 0, expired: 0 });
    expect(await sink.write([b!, c!, c!])).toEqual({ inserted: 1, duplicates: 2, expired: 0 });
  });

  it('writes a batch far larger than the 65 534 parameters of one query', async () => {
    const batch = makeResults(20_000, { start: hourAgo(), spanMs: 3_000_000, seed: 4, targets: 50 });
    expect(await sink.write(batch)).toEqual({ inserted: 20_000, duplicates: 0, expired: 0 });
  });

  it('stores URL and patterns once per target, and a new settings row when they change', async () => {
    const start = hourAgo();
    const before = makeResults(200, { start, spanMs: 60_000, seed: 5, targets: 1 }).map((r) => ({ ...r, targetId: 'moving', url: 'https://old.test/' }));
    const after = makeResults(10, { start, spanMs: 60_000, seed: 6, targets: 1 }).map((r) => ({ ...r, targetId: 'moving', url: 'https://new.test/' }));
    await sink.write(before);
    await sink.write(after);
    const rows = await pg.sql<{ url: string; n: number }[]>`
      select s.url, count(*)::integer as n from sitewatch.check_results r
        join sitewatch.target_settings s on s.id = r.settings_id join sitewatch.targets t on t.id = s.target_id
      where t.key = 'moving' group by s.url order by s.url`;
    expect(rows).toEqual([
      { url: 'https://new.test/', n: 10 },
      { url: 'https://old.test/', n: 200 },
    ]);
    const [targets] = await pg.sql`select count(*)::integer as n from sitewatch.targets where key = 'moving'`;
    expect(targets).toEqual({ n: 1 });
  });

  it('creates the partitions a batch needs on the spot', async () => {
    const old = makeCheckResult({ startedAt: new Date(Date.now() - 10 * 86_400_000).toISOString() });
    const future = makeCheckResult({ startedAt: new Date(Date.now() + 40 * 86_400_000).toISOString() });
    expect(await sink.write([old, future])).toEqual({ inserted: 2, duplicates: 0, expired: 0 });
    const [row] = await pg.sql`select count(*)::integer as n from sitewatch.check_results where id in ${pg.sql([old.id, future.id])}`;
    expect(row).toEqual({ n: 2 });
  });

  it('skips results older than the raw retention, and counts them', async () => {
    const rows = await countResults(pg.sql);
    const ancient = makeCheckResult({ startedAt: new Date(Date.now() - 45 * 86_400_000).toISOString() });
    const recent = makeCheckResult();
    expect(await sink.write([ancient, recent])).toEqual({ inserted: 1, duplicates: 0, expired: 1 });
    expect(await countResults(pg.sql)).toBe(rows + 1);
  });

  it('refuses a batch holding a result it cannot store, and stores none of it', async () => {
    const rows = await countResults(pg.sql);
    const error = await sink.write([makeCheckResult(), makeCheckResult({ id: 'not-a-uuid' })]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_SINK_INVALID_BATCH', retriable: false, problems: [{ path: '/1/id', message: 'is not a UUID' }] });
    const late = await sink.write([makeCheckResult({ startedAt: 'yesterday' })]).catch((e: unknown) => e);
    expect(late).toMatchObject({ code: 'ERR_SINK_INVALID_BATCH', message: 'a result cannot be stored:\n  /0/startedAt: is not a timestamp before the year 10000' });
    expect(await countResults(pg.sql)).toBe(rows);
  });

  it('accepts an empty batch without touching the database', async () => {
    expect(await sink.write([])).toEqual({ inserted: 0, duplicates: 0, expired: 0 });
  });
});

describe('a sink over an existing client', () => {
  it('leaves the client open when it closes, and rejects calls after close()', async () => {
    const sql = postgres(pg.url, { max: 2, onnotice: () => undefined });
    const own = createSink({ sql });
    expect(await own.write([makeCheckResult()])).toMatchObject({ inserted: 1 });
    const closing = own.close();
    expect(own.close()).toBe(closing);
    await closing;
    await expect(own.write([makeCheckResult()])).rejects.toMatchObject({ code: 'ERR_SINK_CLOSED', retriable: false });
    await expect(own.summary({ targetId: 'x', from: new Date(0), to: new Date() })).rejects.toMatchObject({ code: 'ERR_SINK_CLOSED' });
    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
    await sql.end();
  });
});
