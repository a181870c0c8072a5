// Fault 9: the producer keeps its results in a spool on disk (`producer.spool`). The broker
// stops; the producer keeps checking, its results pile up in the spool; it is killed with
// SIGKILL in the middle of the outage. The broker comes back and the producer is started
// again: it sends what the killed run left first, then goes on. Every check the killed run
// completed is stored, once: those in the spool at the kill, and (no slot of a target
// missing in the killed run's results) none vanished before reaching it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import { readSpool } from '@sitewatch/kafka-transport/testing';
import { decode, type CheckResult } from '@sitewatch/schema';
import { waitFor } from '../support/processes.js';
import { metric, publishedMore, startFlowing, usePipeline } from '../support/pipeline.js';
import { expectReconciled, reconcile, recordFigures } from '../support/reconcile.js';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-spool-'));
const context = usePipeline({ upTargets: 40, ownBroker: true, producer: { spool: { directory }, retry: { initialMs: 100, maxMs: 1000 } } });
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

/** The distinct results among messages (a batch sent again after the kill is in the topic twice). */
const decodeAll = (values: (Buffer | null)[]) => [...new Map(values.map((value) => decode(value)).flatMap((d) => (d.ok ? [[d.value.id, d.value] as const] : []))).values()];

/** Slots missing between a target's first and last result (1 s apart): a check that vanished, or a slot the scheduler skipped. */
function missingSlots(results: CheckResult[]): number {
  const slots = new Map<string, number[]>();
  for (const r of results) slots.set(r.targetId, [...(slots.get(r.targetId) ?? []), Date.parse(r.scheduledAt)]);
  let missing = 0;
  for (const times of slots.values()) {
    times.sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) missing += Math.round((times[i]! - times[i - 1]!) / 1000) - 1;
  }
  return missing;
}

it('loses no recorded check when the producer is killed during a broker outage and started again', async () => {
  const { pipeline } = context;
  const broker = pipeline.broker!;
  const { consumer, producer } = await startFlowing(pipeline, 40);

  await broker.stop();
  await waitFor('results to pile up in the spool', async () => (await metric(producer, 'sitewatch_spool_results')) >= 200, 60_000, 250);
  // Slots the scheduler itself skipped up to here are not lost checks.
  const skipped = (await metric(producer, 'sitewatch_scheduler_missed_slots_total')) + (await metric(producer, 'sitewatch_scheduler_overruns_total'));
  const scrapedAt = Date.now();
  expect(await producer.stop('SIGKILL')).toBe('SIGKILL');
  const spooled = decodeAll(readSpool(directory).map((entry) => entry.value));
  expect(spooled.length).toBeGreaterThanOrEqual(200);

  await broker.start();
  const restarted = await pipeline.startProducer();
  await waitFor('the spool to be sent', async () => (await metric(restarted, 'sitewatch_spool_replayed_results_total')) >= spooled.length, 60_000, 250);
  await publishedMore(restarted, 40, 60_000);
  expect(await restarted.stop('SIGTERM')).toBe(0);
  const stopped = restarted.logs().find((entry) => entry.msg === 'producer stopped')!;

  const result = await reconcile(pipeline);
  expectReconciled(result);
  const stored = new Set((await pipeline.sql<{ id: string }[]>`select id::text from sitewatch.check_results`).map((row) => row.id));
  expect(spooled.filter((r) => !stored.has(r.id))).toEqual([]);
  // The killed run: everything it published before the outage, and what its spool held.
  const killedRun = decodeAll((await pipeline.kafka.readMessages(pipeline.topic)).map((m) => m.value)).filter((r) => Date.parse(r.scheduledAt) < scrapedAt);
  const missing = missingSlots(killedRun);
  expect(missing).toBeLessThanOrEqual(skipped);
  expect(Number(stopped.replayed)).toBe(spooled.length);
  expect(Number(stopped.published) - Number(stopped.replayed) + Number(stopped.dropped) + Number(stopped.spooled)).toBe(Number(stopped.checks));
  expect(await consumer.stop('SIGTERM')).toBe(0);
  recordFigures('producer-spool', { spooledAtKill: spooled.length, replayed: Number(stopped.replayed), missingSlots: missing, skippedSlots: skipped, ...result });
}, 240_000);
