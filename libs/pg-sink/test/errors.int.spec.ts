// Failures as a consumer meets them: a connection killed mid-write, a server that is not
// there, a database that does not exist. Each maps to a SinkError saying whether to retry,
// and nothing of a failed batch is left behind.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isSitewatchError } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { createSink, sinkErrorCodes, type Sink } from '../src/index.js';
import { startTestPostgres, type TestPostgres } from '../src/testing.js';
import { freePort } from '../../../tools/testing/ports.js';
import { waitFor } from '../../../tools/testing/wait-for.js';
import { countResults, makeResults } from './helpers.js';

let pg: TestPostgres;
let sink: Sink;
const applicationName = `sink-errors-${process.pid}`;

beforeAll(async () => {
  pg = await startTestPostgres();
  sink = createSink({ url: pg.url, applicationName });
  await sink.migrate();
});

afterAll(async () => {
  await sink.close();
  await pg.close();
});

describe('a write whose connection is terminated mid-transaction', () => {
  it('fails retriable, leaves nothing behind, and succeeds when retried', async () => {
    const start = new Date(Date.now() - 3_600_000);
    const [first, ...rest] = makeResults(301, { start, spanMs: 1000, seed: 31, targets: 1 });
    await sink.write([first!]);
    const rows = await countResults(pg.sql);
    // Another session holds the rollup row the batch must update: the write blocks there,
    // after its raw rows are inserted, inside its transaction.
    const holder = await pg.sql.reserve();
    try {
      await holder`begin`;
      await holder`select 1 from sitewatch.rollups_hourly for update`;
      const pending = sink.write(rest).catch((e: unknown) => e);
      const blocked = async () =>
        (await pg.sql`select 1 from pg_stat_activity where application_name = ${applicationName} and wait_event_type = 'Lock'`).length > 0;
      await waitFor('the write to wait for the row lock', blocked, 10_000, 20);
      await pg.sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${applicationName} and wait_event_type = 'Lock'`;
      const error = await pending;
      expect(isSitewatchError(error, sinkErrorCodes)).toBe(true);
      expect(error).toMatchObject({ code: 'ERR_SINK_CONNECTION', retriable: true });
      await holder`rollback`;
    } finally {
      holder.release();
    }
    expect(await countResults(pg.sql)).toBe(rows);
    expect(await sink.write(rest)).toEqual({ inserted: 300, duplicates: 0, expired: 0 });
    const summary = await sink.summary({ targetId: first!.targetId, from: new Date(start.getTime() - 3_600_000), to: new Date() });
    expect(summary.checks).toBe(301);
  });
});

describe('connection failures', () => {
  it('maps a refused connection to a retriable error that shows no password', async () => {
    const port = await freePort();
    const unreachable = createSink({ url: `postgres://writer:hunter2@127.0.0.1:${port}/db?sslmode=disable`, connectTimeoutMs: 2000 });
    try {
      const error = await unreachable.write([makeCheckResult()]).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_SINK_CONNECTION', retriable: true });
      expect(JSON.stringify(error) + String(error) + (error as Error).stack).not.toContain('hunter2');
    } finally {
      await unreachable.close();
    }
  });

  it('maps a database that does not exist to an error not worth retrying', async () => {
    const url = new URL(pg.url);
    url.pathname = '/no_such_database';
    const missing = createSink({ url: url.toString() });
    try {
      const error = await missing.migrate().catch((e: unknown) => e);
      expect(error).toMatchObject({ retriable: false, sqlState: '3D000' });
    } finally {
      await missing.close();
    }
  });
});
