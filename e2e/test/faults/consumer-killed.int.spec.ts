// Fault 1: the consumer is killed with SIGKILL in the middle of its work, several times, and
// restarted. The database is slowed a little (a proxy adds latency), so most kills land
// inside a batch's transaction or between its commit and the offset commit.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { TcpProxy } from '../../../tools/testing/tcp-proxy.js';
import { databaseProxy, publishedMore, startPipeline, type Pipeline } from '../support/pipeline.js';
import { expectReconciled, reconcile, recordFigures } from '../support/reconcile.js';

let pipeline: Pipeline;
let proxy: TcpProxy;

beforeAll(async () => {
  const database = await databaseProxy();
  proxy = database.proxy;
  proxy.setLatency(20);
  pipeline = await startPipeline({
    upTargets: 40,
    databaseUrl: database.databaseUrl,
  });
}, 60_000);

afterAll(async () => {
  await pipeline?.close();
  await proxy?.close();
});

it('loses and doubles nothing when the consumer is killed mid-batch, again and again', async () => {
  const producer = await pipeline.startProducer();
  const kills: number[] = [];
  const consumers = [];
  for (let round = 0; round < 4; round++) {
    const consumer = await pipeline.startConsumer();
    consumers.push(consumer);
    await publishedMore(producer, 40);
    // A random moment within the next second, while batches are being written.
    const waitMs = 200 + Math.floor(Math.random() * 800);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    expect(await consumer.stop('SIGKILL')).toBe('SIGKILL');
    kills.push(waitMs);
  }
  await publishedMore(producer, 40);
  expect(await producer.stop('SIGTERM')).toBe(0);

  const consumer = await pipeline.startConsumer();
  consumers.push(consumer);
  const started = performance.now();
  const result = await reconcile(pipeline);
  const catchUpMs = Math.round(performance.now() - started);
  expectReconciled(result);
  expect(await consumer.stop('SIGTERM')).toBe(0);
  // Results stored by a killed consumer whose offsets were not committed come again: skipped.
  const duplicatesAbsorbed = consumers
    .flatMap((c) => c.logs())
    .reduce((sum, entry) => sum + (entry.msg === 'batch stored' ? Number(entry.duplicates) : 0), 0);
  recordFigures('consumer-killed', { kills: kills.length, killDelaysMs: kills, ...result, duplicatesAbsorbed, catchUpMs });
});
