// Fault 3: the Kafka broker stops while the producer runs, and comes back. The producer
// buffers and catches up; what did not fit in its (deliberately small) buffer is counted as
// dropped, and everything it counts as published is stored exactly once.
import { expect, it } from '@jest/globals';
import { waitFor } from '../support/processes.js';
import { metric, publishedMore, startFlowing, usePipeline } from '../support/pipeline.js';
import { expectReconciled, reconcile, recordFigures } from '../support/reconcile.js';

const outageMs = 10_000;
const maxBufferedResults = 200;
const context = usePipeline({
  upTargets: 40,
  ownBroker: true,
  producer: { maxBufferedResults, maxBatchResults: 100, retry: { initialMs: 100, maxMs: 1000 } },
});

it('buffers through a broker restart, counts what it had to drop, and loses nothing else', async () => {
  const { pipeline } = context;
  const broker = pipeline.broker!;
  const { consumer, producer } = await startFlowing(pipeline, 40);

  await broker.stop();
  const stoppedAt = performance.now();
  // Watched all through the outage: the buffer fills up to its bound, never beyond, and drops.
  let maxBufferedSeen = 0;
  await waitFor('the outage to last its time, and the producer to drop', async () => {
    const [buffered, dropped] = await Promise.all([metric(producer, 'sitewatch_publish_buffered_results'), metric(producer, 'sitewatch_publish_dropped_results_total')]);
    maxBufferedSeen = Math.max(maxBufferedSeen, buffered);
    return dropped > 0 && performance.now() - stoppedAt >= outageMs;
  }, outageMs + 30_000, 250);
  expect(maxBufferedSeen).toBeLessThanOrEqual(maxBufferedResults);

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
  recordFigures('broker-restart', { outageMs, maxBufferedResults, maxBufferedSeen, checks: stopped.checks, dropped: stopped.dropped, ...result, catchUpMs });
});
