// Fault 2: PostgreSQL unreachable for ~20 s while results flow (a proxy between the consumer
// and the database cuts every connection and refuses new ones), then back.
import { expect, it } from '@jest/globals';
import { waitFor } from '../support/processes.js';
import { metric, readiness, startFlowing, usePipeline } from '../support/pipeline.js';
import { expectReconciled, reconcile, recordFigures } from '../support/reconcile.js';

const outageMs = 20_000;
const context = usePipeline({ upTargets: 30, databaseProxy: true });

it('keeps every result through a database outage, then catches up', async () => {
  const { pipeline } = context;
  const proxy = pipeline.databaseProxy!;
  const { consumer, producer } = await startFlowing(pipeline, 30);

  await proxy.stop();
  const outageStarted = performance.now();
  const publishedBefore = await metric(producer, 'sitewatch_published_results_total');
  await waitFor('the consumer to report the database as not ready', async () => (await readiness(consumer)).checks.postgres === false);
  await new Promise((resolve) => setTimeout(resolve, outageMs - (performance.now() - outageStarted)));
  // Results kept coming, and waited in Kafka; the consumer retried, and stayed up.
  const publishedDuringOutage = (await metric(producer, 'sitewatch_published_results_total')) - publishedBefore;
  expect(publishedDuringOutage).toBeGreaterThan(0);
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
  recordFigures('database-outage', { outageMs, retriesDuringOutage: retries, publishedDuringOutage, ...result, catchUpMs });
});
