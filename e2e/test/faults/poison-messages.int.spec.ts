// Fault 6: poison in the topic (not JSON, schema-invalid JSON, a newer major version, a 5 MB
// value, a null value) between valid results: each is dead-lettered with its reason, and
// the consumer keeps storing the valid results around them.
import { expect, it } from '@jest/globals';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { waitFor } from '../support/processes.js';
import { metric, publishedMore, startFlowing, usePipeline } from '../support/pipeline.js';
import { expectReconciled, reconcile, recordFigures } from '../support/reconcile.js';

// The broker's default limit is 1 MB a message; the topic takes the 5 MB poison.
const context = usePipeline({ upTargets: 10, topicConfig: { 'max.message.bytes': String(6 * 1024 * 1024) } });

const poison = [
  { value: 'this is not JSON {', code: 'ERR_SCHEMA_NOT_JSON' },
  { value: JSON.stringify({ ...makeCheckResult(), responseTimeMs: 'fast' }), code: 'ERR_SCHEMA_INVALID' },
  { value: JSON.stringify({ ...makeCheckResult(), v: 2 }), headers: { 'sitewatch-schema-version': '2' }, code: 'ERR_SCHEMA_UNSUPPORTED_VERSION' },
  { value: Buffer.alloc(5 * 1024 * 1024, '{'), code: 'ERR_SCHEMA_INVALID' },
  { value: null, code: 'ERR_SCHEMA_NOT_JSON' },
];

it('dead-letters every kind of poison with its reason and keeps going', async () => {
  const { pipeline } = context;
  const { consumer, producer } = await startFlowing(pipeline, 10);
  await pipeline.kafka.produce(pipeline.topic, poison.map(({ value, headers }) => ({ key: 'poison', value, headers })));
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
  const codes: Record<string, number> = {};
  for (const { code } of poison) codes[code] = (codes[code] ?? 0) + 1;
  expect(result.deadLetterCodes).toEqual(codes);
  const deadLetters = await pipeline.kafka.readMessages(`${pipeline.topic}.dlq`);
  for (const letter of deadLetters) expect(letter.headers['sitewatch-dlq-reason']).toMatch(/\S/);
  expect(consumer.child.exitCode).toBeNull();
  expect(await consumer.stop('SIGTERM')).toBe(0);
  recordFigures('poison-messages', { poison: poison.length, ...result, deadLetterReasons: deadLetters.map((m) => m.headers['sitewatch-dlq-reason']) });
});
