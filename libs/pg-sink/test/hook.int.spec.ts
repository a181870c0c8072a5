// The onInserted hook: called in the write's transaction with exactly the rows it inserted,
// so what it writes commits with them, a redelivered batch calls it with nothing, and its
// failure is the write's.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { SitewatchError, type CheckResult } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import type postgres from 'postgres';
import { createSink, type InsertedHook } from '../src/index.js';
import { startTestPostgres, type TestPostgres } from '../src/testing.js';
import { countResults } from './helpers.js';

let pg: TestPostgres;
const seen: string[][] = [];
let fail: SitewatchError | undefined;

// What the hook writes: one row per result it is given, in the same transaction.
const hook: InsertedHook = async (tx, inserted) => {
  seen.push(inserted.map((result) => result.id));
  await tx`insert into sitewatch.hook_log (id) select unnest(${inserted.map((result) => result.id)}::uuid[])`;
  if (fail !== undefined) throw fail;
};

beforeAll(async () => {
  pg = await startTestPostgres();
});
afterAll(() => pg.close());

const results = (count: number, overrides: Partial<CheckResult> = {}) =>
  Array.from({ length: count }, (_, i) => makeCheckResult({ targetId: `hooked-${i % 3}`, startedAt: new Date(Date.now() - 60_000 + i).toISOString(), ...overrides }));
const logged = async (sql: postgres.Sql) => (await sql<{ n: number }[]>`select count(*)::int as n from sitewatch.hook_log`)[0]!.n;

it('gets exactly the rows each write inserted, in batch order, and its writes commit or roll back with them', async () => {
  await using sink = createSink({ url: pg.url, onInserted: hook });
  await sink.migrate();
  await pg.sql`create table sitewatch.hook_log (id uuid primary key)`;
  const first = results(5);
  expect(await sink.write(first)).toMatchObject({ inserted: 5 });
  expect(seen).toEqual([first.map((r) => r.id)]);

  // A redelivery inserts nothing: the hook is not called. An overlapping batch: only the new rows.
  expect(await sink.write(first)).toMatchObject({ inserted: 0, duplicates: 5 });
  const second = results(3);
  expect(await sink.write([...first.slice(3), ...second])).toMatchObject({ inserted: 3, duplicates: 2 });
  expect(seen.slice(1)).toEqual([second.map((r) => r.id)]);
  expect(await logged(pg.sql)).toBe(8);

  // The hook fails: nothing of the batch is stored, and the error's verdict on retrying stands.
  fail = new SitewatchError('ERR_HOOK_TEST', 'the hook broke', { retriable: true });
  const third = results(2);
  await expect(sink.write(third)).rejects.toMatchObject({ code: 'ERR_SINK_WRITE', retriable: true, message: expect.stringContaining('the hook broke') });
  fail = new SitewatchError('ERR_HOOK_TEST', 'the hook broke for good');
  await expect(sink.write(third)).rejects.toMatchObject({ code: 'ERR_SINK_WRITE', retriable: false });
  expect(await countResults(pg.sql)).toBe(8);
  expect(await logged(pg.sql)).toBe(8);

  fail = undefined;
  expect(await sink.write(third)).toMatchObject({ inserted: 2 });
  expect(await logged(pg.sql)).toBe(10);
});

it('refuses a hook that is not a function', () => {
  expect(() => createSink({ url: pg.url, onInserted: 'no' as unknown as InsertedHook })).toThrow(
    expect.objectContaining({ code: 'ERR_SINK_INVALID_OPTIONS', problems: [{ path: '/onInserted', message: 'must be a function' }] }),
  );
});
