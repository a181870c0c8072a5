// Fault 5: two consumers share the group; one is killed with SIGKILL. Its partitions move to
// the other, which stores what the dead one had not committed: nothing lost, nothing doubled.
import { expect, it } from '@jest/globals';
import { waitFor } from '../support/processes.js';
import { metric, publishedMore, usePipeline } from '../support/pipeline.js';
import { expectReconciled, reconcile, recordFigures } from '../support/reconcile.js';

const partitions = 4;
const context = usePipeline({ upTargets: 40, partitions });

it('moves a killed member partitions to the survivor and loses nothing', async () => {
  const { pipeline } = context;
  const first = await pipeline.startConsumer();
  const second = await pipeline.startConsumer();
  const producer = await pipeline.startProducer();
  await waitFor('both consumers to hold partitions', async () => {
    const [a, b] = await Promise.all([metric(first, 'sitewatch_consumer_partitions'), metric(second, 'sitewatch_consumer_partitions')]);
    return a > 0 && b > 0 && a + b === partitions;
  }, 60_000);
  await publishedMore(producer, 80);

  expect(await second.stop('SIGKILL')).toBe('SIGKILL');
  const killed = performance.now();
  await waitFor('the survivor to take every partition', async () => (await metric(first, 'sitewatch_consumer_partitions')) === partitions, 60_000);
  const takeoverMs = Math.round(performance.now() - killed);
  await publishedMore(producer, 80);

  expect(await producer.stop('SIGTERM')).toBe(0);
  const result = await reconcile(pipeline);
  expectReconciled(result);
  expect(await first.stop('SIGTERM')).toBe(0);
  recordFigures('consumer-group', { partitions, takeoverMs, ...result });
});
