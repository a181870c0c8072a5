// Fault 4: a slow database (a proxy adds latency to every packet): the consumer falls
// behind, the lag shows in its metrics, and it catches up once the database is fast again.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { TcpProxy } from '../../../tools/testing/tcp-proxy.js';
import { waitFor } from '../support/processes.js';
import { databaseProxy, metric, publishedMore, startPipeline, type Pipeline } from '../support/pipeline.js';
import { expectReconciled, reconcile, recordFigures } from '../support/reconcile.js';

const latencyMs = 400;
let pipeline: Pipeline;
let proxy: TcpProxy;

beforeAll(async () => {
  const database = await databaseProxy();
  proxy = database.proxy;
  pipeline = await startPipeline({
    upTargets: 60,
    databaseUrl: database.databaseUrl,
    // Small batches: with a slow database each one takes long, and the backlog grows.
    consumer: { maxBytesPerPartition: 4096 },
  });
}, 60_000);

afterAll(async () => {
  await pipeline?.close();
  await proxy?.close();
});

it('falls behind on a slow database, shows the lag, and catches up', async () => {
  const consumer = await pipeline.startConsumer();
  const producer = await pipeline.startProducer();
  await publishedMore(producer, 60);

  proxy.setLatency(latencyMs);
  const maxLag = await waitFor('the lag to show in the metrics', async () => {
    const lag = await metric(consumer, 'sitewatch_consumer_lag_messages');
    return lag >= 100 && lag;
  }, 60_000);
  const slowWrite = await metric(consumer, 'sitewatch_sink_write_duration_seconds_sum');

  proxy.setLatency(0);
  const fastAgain = performance.now();
  await waitFor('the lag to drain', async () => (await metric(consumer, 'sitewatch_consumer_lag_messages')) < 60, 60_000);
  const catchUpMs = Math.round(performance.now() - fastAgain);
  expect(await producer.stop('SIGTERM')).toBe(0);
  const result = await reconcile(pipeline);
  expectReconciled(result);
  expect(await consumer.stop('SIGTERM')).toBe(0);
  recordFigures('slow-database', { latencyMs, maxLagSeen: maxLag, writeSecondsSumWhenLagging: slowWrite, ...result, catchUpMs });
});
