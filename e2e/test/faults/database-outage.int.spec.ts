// Fault 2: PostgreSQL unreachable for ~20 s while results flow (a proxy between the consumer
// and the database cuts every connection and refuses new ones), then back.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { TcpProxy } from '../../../tools/testing/tcp-proxy.js';
import { waitFor } from '../support/processes.js';
import { databaseProxy, metric, publishedMore, readiness, startPipeline, type Pipeline } from '../support/pipeline.js';
import { expectReconciled, reconcile, recordFigures } from '../support/reconcile.js';

const outageMs = 20_000;
let pipeline: Pipeline;
let proxy: TcpProxy;

beforeAll(async () => {
  const database = await databaseProxy();
  proxy = database.proxy;
  pipeline = await startPipeline({
    upTargets: 30,
    databaseUrl: database.databaseUrl,
  });
}, 60_000);

afterAll(async () => {
  await pipeline?.close();
  await proxy?.close();
});

it('keeps every result through a database outage, then catches up', async () => {
  const consumer = await pipeline.startConsumer();
  const producer = await pipeline.startProducer();
  await publishedMore(producer, 30);

  await proxy.stop();
  const outageStarted = performance.now();
  await waitFor('the consumer to report the database as not ready', async () => (await readiness(consumer)).checks.postgres === false);
  await new Promise((resolve) => setTimeout(resolve, outageMs - (performance.now() - outageStarted)));
  const lagDuringOutage = await metric(consumer, 'sitewatch_consumer_lag_messages');
  const retries = await metric(consumer, 'sitewatch_consumer_retries_total');
  expect(retries).toBeGreaterThan(0);
  expect(consumer.child.exitCode).toBeNull();

  await proxy.start();
  const restored = performance.now();
  await waitFor('the consumer to be ready again', async () => (await readiness(consumer)).ready, 30_000);
  expect(await producer.stop('SIGTERM')).toBe(0);
  const result = await reconcile(pipeline);
  const catchUpMs = Math.round(performance.now() - restored);
  expectReconciled(result);
  expect(await consumer.stop('SIGTERM')).toBe(0);
  recordFigures('database-outage', { outageMs, retriesDuringOutage: retries, lagDuringOutage, ...result, catchUpMs });
});
