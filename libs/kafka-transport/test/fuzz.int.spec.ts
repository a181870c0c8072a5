// A few hundred fuzzed messages into a real topic (random bytes, random JSON, valid results
// mutated at random, valid ones, tombstones, random headers and odd schema-version headers),
// read by a real subscriber: it never crashes, hands exactly the valid results to the
// handler, dead-letters every other message with a reason and a schema code, and commits
// every offset. A fixed seed keeps a failure reproducible.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { decode, schemaErrorCodes, schemaVersionHeader } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import fc from 'fast-check';
import { createSubscriber, deadLetterHeaders } from '../src/index.js';
import { startTestKafka, type TestKafka, type TestKafkaRawMessage } from '../src/testing.js';
import { untilPasses } from '../../../tools/testing/wait-for.js';
import { eventually, quickGroup } from './helpers.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

let kafka: TestKafka;
beforeAll(async () => {
  kafka = await startTestKafka();
});
afterAll(() => kafka.close());

const partitions = 2;
const seed = 20_251_127;

const garbage: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>('', '\u0000', '\ud800', '\u202e💥', 'x'.repeat(5000), 1e308, -1, -0, 0.5, 2 ** 64, [], {}, [[[[[]]]]]),
);

/** A valid result with one or two of its fields deleted, replaced by garbage, nested in garbage, or joined by unknown fields. */
const mutatedResult: fc.Arbitrary<Record<string, Json>> = fc
  .array(fc.record({ kind: fc.constantFrom('delete', 'replace', 'nest', 'add'), at: fc.nat(), key: fc.string({ minLength: 1, maxLength: 8 }), value: garbage }), { minLength: 1, maxLength: 2 })
  .map((mutations) => {
    const value = JSON.parse(JSON.stringify(makeCheckResult({ targetId: 'mutated' }))) as Record<string, Json>;
    for (const { kind, at, key, value: junk } of mutations) {
      const keys = Object.keys(value);
      const field = keys[at % keys.length]!;
      if (kind === 'delete') delete value[field];
      else if (kind === 'replace') value[field] = junk;
      else if (kind === 'nest') value[field] = { [key]: value[field]!, junk };
      else value[key] = junk;
    }
    return value;
  });

const value: fc.Arbitrary<Buffer | null> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null).map(() => Buffer.from(JSON.stringify(makeCheckResult({ targetId: 'valid' })))) },
  { weight: 3, arbitrary: mutatedResult.map((v) => Buffer.from(JSON.stringify(v))) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v))) },
  { weight: 1, arbitrary: fc.constantFrom(null, Buffer.alloc(0), Buffer.alloc(70 * 1024, 0x20), Buffer.from('{"v":1,'), Buffer.from('\ufeff{}')) },
);

// Odd values of the version header: only the integers above 1 ('2', ' 3 ') announce a newer
// major version; the others are no version at all, and the value decides.
const versionHeader = fc.constantFrom<string | Buffer>('1', '2', ' 3 ', '999999999', '0', '-1', '1.5', 'abc', '', '０', '2e0', '\u0000', Buffer.from([0xff, 0xfe]));
const headers: fc.Arbitrary<Record<string, string | Buffer>> = fc
  .tuple(
    fc.option(versionHeader, { nil: undefined }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.oneof(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b))), { maxKeys: 3 }),
    fc.boolean(),
  )
  .map(([version, random, forged]) => ({
    ...random,
    ...(version === undefined ? {} : { [schemaVersionHeader]: version }),
    // As a dead letter replayed by hand would carry: the new reason must replace it.
    ...(forged ? { [deadLetterHeaders.reason]: 'forged', [deadLetterHeaders.code]: 'ERR_FORGED' } : {}),
  }));

const message: fc.Arbitrary<TestKafkaRawMessage & { partition: number }> = fc.record({
  key: fc.oneof(fc.constant(null), fc.string({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b))),
  value,
  headers,
  partition: fc.nat({ max: partitions - 1 }),
});

/** Whether the version header announces a major version newer than this reader's. */
function newerVersion(header: string | Buffer | undefined): boolean {
  const text = header === undefined ? '' : header.toString().trim();
  return /^[0-9]+$/.test(text) && Number(text) > 1;
}

/** The id of the result the handler must get for `m`, or undefined when `m` must be dead-lettered. */
function expectedResultId(m: TestKafkaRawMessage): string | undefined {
  if (newerVersion(m.headers?.[schemaVersionHeader])) return undefined;
  const decoded = decode(m.value === null ? null : Buffer.from(m.value));
  return decoded.ok ? decoded.value.id : undefined;
}

it('never crashes on fuzzed messages, stores exactly the valid ones, dead-letters the rest with a reason, and commits to the end', async () => {
  const topic = await kafka.createTopic({ partitions });
  const deadLetterTopic = await kafka.createTopic({ prefix: 'dlq' });
  const messages = fc.sample(message, { numRuns: 300, seed });
  // Sent in order, a few at a time (a request stays under the broker's size limit): the k-th
  // message of a partition gets offset k.
  for (let i = 0; i < messages.length; i += 25) await kafka.produce(topic, messages.slice(i, i + 25));
  const offsets = [0, 0];
  const sources = messages.map((m) => `${topic}/${m.partition}/${offsets[m.partition]!++}`);

  const validIds = messages.map(expectedResultId);
  const expectedDead = new Set(sources.filter((_, i) => validIds[i] === undefined));
  // The mix is a real one: both outcomes, in numbers.
  expect(expectedDead.size).toBeGreaterThan(100);
  expect(messages.length - expectedDead.size).toBeGreaterThan(50);

  const stored: string[] = [];
  const groupId = kafka.uniqueGroupId();
  const subscriber = createSubscriber({
    connection: kafka.connection(),
    topic,
    deadLetterTopic,
    groupId,
    ...quickGroup,
    handleBatch: async (results) => void stored.push(...results.map((result) => result.id)),
  });
  try {
    await subscriber.start();
    await eventually(
      async () => {
        const committed = await kafka.committedOffsets(groupId, topic);
        return offsets.every((end, partition) => committed[partition] === String(end));
      },
      { what: 'offsets committed to the end of every partition', timeoutMs: 30_000 },
    );
    expect(subscriber.ready()).toBe(true);
    // The lag is counted once the last commit has returned, a moment after the broker has it.
    await untilPasses(() => expect(subscriber.stats()).toMatchObject({ restarts: 0, results: messages.length - expectedDead.size, deadLettered: expectedDead.size, lag: 0 }));
  } finally {
    await subscriber.close();
  }

  expect([...stored].sort()).toEqual(validIds.filter((id) => id !== undefined).sort());
  const letters = await kafka.readMessages(deadLetterTopic, { atLeast: expectedDead.size });
  expect(letters).toHaveLength(expectedDead.size);
  expect(new Set(letters.map((letter) => letter.headers[deadLetterHeaders.source]))).toEqual(expectedDead);
  for (const letter of letters) {
    const original = messages[sources.indexOf(letter.headers[deadLetterHeaders.source]!)]!;
    expect(letter.headers[deadLetterHeaders.reason]).toMatch(/\S/);
    expect(letter.headers[deadLetterHeaders.reason]).not.toBe('forged');
    expect(schemaErrorCodes).toContain(letter.headers[deadLetterHeaders.code]);
    expect(letter.value ?? Buffer.alloc(0)).toEqual(original.value ?? Buffer.alloc(0));
  }
}, 60_000);
