// Fault 3: the Kafka broker stops while the producer runs, and comes back. The producer
// buffers and catches up; what did not fit in its (deliberately small) buffer is counted as
// dropped, and everything it counts as published is stored exactly once.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startOwnBroker, type OwnBroker } from '../support/broker.js';
import { waitFor } from '../support/processes.js';
import { metric, publishedMore, startPipeline, type Pipeline } from '../support/pipeline.js';
import { expectReconciled, reconcile, recordFigures } from '../support/reconcile.js';

const outageMs = 10_000;
const maxBufferedResults = 200;
let broker: OwnBroker;
let pipeline: Pipeline;

beforeAll(async () => {
  broker = await startOwnBroker();
  pipeline = await startPipeline({
    upTargets: 40,
    brokers: broker.brokers,
    producer: { maxBufferedResults, maxBatchResults: 100, retry: { initialMs: 100, maxMs: 1000 } },
  });
}, 120_000);

afterAll(async () => {
  await pipeline?.close();
  await broker?.close();
});

it('buffers through a broker restart, counts what it had to drop, and loses nothing else', async () => {
  const consumer = await pipeline.startConsumer();
  const producer = await pipeline.startProducer();
  await publishedMore(producer, 40);

  await broker.stop();
  const stoppedAt = performance.now();
  await waitFor('the producer to buffer and then drop', async () => (await metric(producer, 'sitewatch_publish_dropped_results_total')) > 0, 30_000);
  expect(await metric(producer, 'sitewatch_publish_buffered_results')).toBeLessThanOrEqual(maxBufferedResults);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageMs - (performance.now() - stoppedAt))));

  await broker.start();
  const restarted = performance.now();
  await waitFor('the producer to empty its buffer', async () => (await metric(producer, 'sitewatch_publish_buffered_results')) < 50, 60_000);
  await publishedMore(producer, 40, 60_000);
  expect(await producer.stop('SIGTERM')).toBe(0);
  const stopped = producer.logs().find((entry) => entry.msg === 'producer stopped')!;

  const result = await reconcile(pipeline);
  const catchUpMs = Math.round(performance.now() - restarted);
  expectReconciled(result);
  // Every completed check is either published or counted as dropped: none vanished.
  expect(Number(stopped.published) + Number(stopped.dropped)).toBe(Number(stopped.checks));
  expect(result.published).toBe(Number(stopped.published));
  expect(Number(stopped.dropped)).toBeGreaterThan(0);
  expect(await consumer.stop('SIGTERM')).toBe(0);
  recordFigures('broker-restart', { outageMs, maxBufferedResults, checks: stopped.checks, dropped: stopped.dropped, ...result, catchUpMs });
});
