// Fault 1: the consumer is killed with SIGKILL in the middle of its work, several times, and
// restarted. The database is slowed a little (a proxy adds latency), so that kills land inside
// a batch's transaction or between its commit and the offset commit. The kill moments are
// random, from a seed the test prints (SITEWATCH_TEST_SEED replays it). After 4 kills, if none
// was seen to land mid-batch, the next ones wait for a batch being stored.
import { expect, it } from '@jest/globals';
import type postgres from 'postgres';
import { seededRandom, testSeed } from '../../../tools/testing/random.js';
import { waitFor, type AppProcess } from '../support/processes.js';
import { publishedMore, usePipeline } from '../support/pipeline.js';
import { expectReconciled, reconcile, recordFigures } from '../support/reconcile.js';

const seed = testSeed('consumer-killed');
const context = usePipeline({ upTargets: 40, databaseProxy: true });

/**
 * True while the consumer's sink runs a statement or holds a transaction: once started it
 * does nothing else than store batches (its partition maintenance runs at start, then once a
 * minute).
 */
async function storingNow(sql: postgres.Sql): Promise<boolean> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and application_name = 'sitewatch-pg-sink' and xact_start is not null`;
  return row!.n > 0;
}

/**
 * Results a consumer found stored already: delivered again because the consumer before it was
 * killed after storing them and before committing their offsets.
 */
const duplicatesAbsorbed = (consumer: AppProcess) =>
  consumer.logs().reduce((sum, entry) => sum + (entry.msg === 'batch stored' ? Number(entry.duplicates) : 0), 0);

it('loses and doubles nothing when the consumer is killed mid-batch, again and again', async () => {
  const { pipeline } = context;
  pipeline.databaseProxy!.setLatency(20);
  const random = seededRandom(seed);
  const producer = await pipeline.startProducer();
  const consumers = [await pipeline.startConsumer()];
  const kills: { afterMs: number; aimed: boolean; storing: boolean }[] = [];
  // A kill landed mid-batch when the database was storing at that moment, or when the next
  // consumer was handed results already stored (stored, but the offsets not yet committed).
  const landed = () => kills.map((kill, i) => ({ ...kill, duplicatesAfter: duplicatesAbsorbed(consumers[i + 1]!) }));
  const midBatch = () => landed().filter((kill) => kill.storing || kill.duplicatesAfter > 0).length;
  while (kills.length < 4 || (midBatch() === 0 && kills.length < 8)) {
    await publishedMore(producer, 40);
    // A random moment within the next second, while batches are being written.
    const afterMs = 200 + Math.floor(random() * 800);
    await new Promise((resolve) => setTimeout(resolve, afterMs));
    const aimed = kills.length >= 4;
    const storing = aimed ? await waitFor('the consumer to store a batch', () => storingNow(pipeline.sql), 10_000, 5) : await storingNow(pipeline.sql);
    expect(await consumers.at(-1)!.stop('SIGKILL')).toBe('SIGKILL');
    kills.push({ afterMs, aimed, storing });
    consumers.push(await pipeline.startConsumer());
  }
  await publishedMore(producer, 40);
  expect(await producer.stop('SIGTERM')).toBe(0);

  const started = performance.now();
  const result = await reconcile(pipeline);
  const catchUpMs = Math.round(performance.now() - started);
  expectReconciled(result);
  expect(await consumers.at(-1)!.stop('SIGTERM')).toBe(0);
  const duplicates = consumers.reduce((sum, consumer) => sum + duplicatesAbsorbed(consumer), 0);
  recordFigures('consumer-killed', { seed, kills: landed(), midBatch: midBatch(), ...result, duplicatesAbsorbed: duplicates, catchUpMs });
  expect(midBatch()).toBeGreaterThan(0);
}, 120_000);
