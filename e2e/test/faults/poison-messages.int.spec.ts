// Fault 6: poison in the topic (not JSON, schema-invalid JSON, a newer major version, a 5 MB
// value, a null value) between valid results: each is dead-lettered with its reason, and
// the consumer keeps storing the valid results around them.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { waitFor } from '../support/processes.js';
import { metric, publishedMore, startPipeline, type Pipeline } from '../support/pipeline.js';
import { expectReconciled, reconcile, recordFigures } from '../support/reconcile.js';

let pipeline: Pipeline;

beforeAll(async () => {
  // The broker's default limit is 1 MB a message; the topic takes the 5 MB poison.
  pipeline = await startPipeline({ upTargets: 10, topicConfig: { 'max.message.bytes': String(6 * 1024 * 1024) } });
}, 60_000);

afterAll(() => pipeline?.close());

const poison = [
  { value: 'this is not JSON {' },
  { value: JSON.stringify({ ...makeCheckResult(), responseTimeMs: 'fast' }) },
  { value: JSON.stringify({ ...makeCheckResult(), v: 2 }), headers: { 'sitewatch-schema-version': '2' } },
  { value: Buffer.alloc(5 * 1024 * 1024, '{') },
  { value: null },
];

it('dead-letters every kind of poison with its reason and keeps going', async () => {
  const consumer = await pipeline.startConsumer();
  const producer = await pipeline.startProducer();
  await publishedMore(producer, 10);
  await pipeline.kafka.produce(pipeline.topic, poison.map((p) => ({ key: 'poison', ...p })));
  await waitFor('the poison to be dead-lettered', async () => (await metric(consumer, 'sitewatch_consumer_dead_lettered_total')) >= poison.length);
  // Still storing what comes after.
  const stored = await metric(consumer, 'sitewatch_consumer_results_total');
  await publishedMore(producer, 20);
  await waitFor('results after the poison to be stored', async () => (await metric(consumer, 'sitewatch_consumer_results_total')) > stored + 10);

  expect(await producer.stop('SIGTERM')).toBe(0);
  const result = await reconcile(pipeline);
  expectReconciled(result);
  expect(result.invalid).toBe(poison.length);
  expect(result.deadLettered).toBe(poison.length);
  expect(Object.keys(result.deadLetterCodes).sort()).toEqual(['ERR_SCHEMA_INVALID', 'ERR_SCHEMA_NOT_JSON', 'ERR_SCHEMA_UNSUPPORTED_VERSION']);
  const deadLetters = await pipeline.kafka.readMessages(`${pipeline.topic}.dlq`);
  for (const letter of deadLetters) expect(letter.headers['sitewatch-dlq-reason']).toMatch(/\S/);
  expect(consumer.child.exitCode).toBeNull();
  expect(await consumer.stop('SIGTERM')).toBe(0);
  recordFigures('poison-messages', { poison: poison.length, ...result, deadLetterReasons: deadLetters.map((m) => m.headers['sitewatch-dlq-reason']) });
});
