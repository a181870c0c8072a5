// Fault 4: a slow database (a proxy adds latency to every packet): the consumer falls
// behind, the lag shows in its metrics, and it catches up once the database is fast again.
import { expect, it } from '@jest/globals';
import { waitFor, type AppProcess } from '../support/processes.js';
import { metric, startFlowing, usePipeline } from '../support/pipeline.js';
import { expectReconciled, reconcile, recordFigures } from '../support/reconcile.js';

const latencyMs = 400;
// Small batches: with a slow database each one takes long, and the backlog grows.
const context = usePipeline({ upTargets: 60, databaseProxy: true, consumer: { maxBytesPerPartition: 4096 } });

/** The consumer's batch writes so far: how many, and their seconds in all. */
async function writes(consumer: AppProcess): Promise<{ count: number; seconds: number }> {
  const [count, seconds] = await Promise.all([
    metric(consumer, 'sitewatch_sink_write_duration_seconds_count'),
    metric(consumer, 'sitewatch_sink_write_duration_seconds_sum'),
  ]);
  return { count, seconds };
}

it('falls behind on a slow database, shows the lag, and catches up', async () => {
  const { pipeline } = context;
  const proxy = pipeline.databaseProxy!;
  const { consumer, producer } = await startFlowing(pipeline, 60);

  const fast = await writes(consumer);
  proxy.setLatency(latencyMs);
  const maxLag = await waitFor('the lag to show in the metrics', async () => {
    const lag = await metric(consumer, 'sitewatch_consumer_lag_messages');
    return lag >= 100 && lag;
  }, 60_000);
  // The database is why: the writes finished meanwhile took a round trip of latency or more.
  // (The lag counts results fetched and not yet stored, so it can show before a slow write ends.)
  const slow = await waitFor('slow writes to finish', async () => {
    const now = await writes(consumer);
    return now.count > fast.count && now;
  }, 60_000);
  const slowWriteMs = Math.round(((slow.seconds - fast.seconds) / (slow.count - fast.count)) * 1000);
  expect(slowWriteMs).toBeGreaterThanOrEqual(latencyMs);

  proxy.setLatency(0);
  const fastAgain = performance.now();
  await waitFor('the lag to drain', async () => (await metric(consumer, 'sitewatch_consumer_lag_messages')) < 60, 60_000);
  const catchUpMs = Math.round(performance.now() - fastAgain);
  expect(await producer.stop('SIGTERM')).toBe(0);
  const result = await reconcile(pipeline);
  expectReconciled(result);
  expect(await consumer.stop('SIGTERM')).toBe(0);
  recordFigures('slow-database', { latencyMs, maxLagSeen: maxLag, meanWriteMsWhileSlow: slowWriteMs, ...result, catchUpMs });
});
