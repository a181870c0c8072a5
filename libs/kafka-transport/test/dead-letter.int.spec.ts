// Poison messages against the real broker: each kind goes to the dead-letter topic with its
// original key, bytes and headers plus the reason, code and source, before the offset moves
// past it; the subscriber keeps going.
import { describe, expect, it } from '@jest/globals';
import { untilPasses } from '../../../tools/testing/wait-for.js';
import { schemaVersionHeader, type CheckResult } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { createSubscriber, deadLetterHeaders, type Subscriber } from '../src/index.js';
import type { TestKafkaRawMessage } from '../src/testing.js';
import { eventually, quickGroup, useTestKafka } from './helpers.js';

const ctx = useTestKafka();

async function subscriber(topic: string, deadLetterTopic: string, groupId: string, stored: CheckResult[]): Promise<Subscriber> {
  const sub = createSubscriber({
    connection: ctx.kafka.connection(),
    topic,
    deadLetterTopic,
    groupId,
    ...quickGroup,
    handleBatch: async (results) => void stored.push(...results),
  });
  ctx.cleanups.push(() => sub.close());
  await sub.start();
  return sub;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const committed = async (groupId: string, topic: string) => (await ctx.kafka.committedOffsets(groupId, topic))[0];

describe('dead-lettering', () => {
  it('sends each kind of bad message to the dead-letter topic with the reason, and keeps going', async () => {
    const topic = await ctx.kafka.createTopic();
    const deadLetterTopic = await ctx.kafka.createTopic({ prefix: 'dlq' });
    const good = [makeCheckResult({ targetId: 'a' }), makeCheckResult({ targetId: 'b' }), makeCheckResult({ targetId: 'c' })];
    const version = { [schemaVersionHeader]: '1' };
    const bad: { message: TestKafkaRawMessage; code: string; reason: RegExp; field?: string }[] = [
      { message: { key: 'k1', value: '{"v":1,', headers: { ...version, 'trace-id': 'abc' } }, code: 'ERR_SCHEMA_NOT_JSON', reason: /^message is not JSON/ },
      { message: { key: 'k2', value: json({ ...makeCheckResult(), responseTimeMs: -1 }), headers: version }, code: 'ERR_SCHEMA_INVALID', reason: /\n {2}\/responseTimeMs: must be >= 0/, field: '/responseTimeMs' },
      { message: { key: 'k3', value: json({ ...makeCheckResult(), v: 2 }), headers: version }, code: 'ERR_SCHEMA_UNSUPPORTED_VERSION', reason: /\n {2}\/v: schema version 2 is newer/, field: '/v' },
      // A newer major in the header is refused without parsing the value (here not even JSON).
      { message: { key: 'k4', value: 'format of the future', headers: { [schemaVersionHeader]: '2' } }, code: 'ERR_SCHEMA_UNSUPPORTED_VERSION', reason: /header sitewatch-schema-version/ },
      { message: { key: 'k5', value: null }, code: 'ERR_SCHEMA_NOT_JSON', reason: /^message has no value/ },
      { message: { key: null, value: Buffer.alloc(100 * 1024, 0x7b) }, code: 'ERR_SCHEMA_INVALID', reason: /102400 bytes/ },
    ];
    const messages = [
      { key: 'a', value: json(good[0]), headers: version },
      ...bad.slice(0, 3).map((b) => b.message),
      { key: 'b', value: json(good[1]), headers: version },
      ...bad.slice(3).map((b) => b.message),
    ];
    await ctx.kafka.produce(topic, messages);
    const groupId = ctx.kafka.uniqueGroupId();
    const stored: CheckResult[] = [];
    const sub = await subscriber(topic, deadLetterTopic, groupId, stored);

    await eventually(async () => (await committed(groupId, topic)) === String(messages.length), { what: 'offsets committed' });
    expect(stored).toEqual(good.slice(0, 2));
    const letters = await ctx.kafka.readMessages(deadLetterTopic, { atLeast: bad.length });
    expect(letters).toHaveLength(bad.length);
    const offsets = [1, 2, 3, 5, 6, 7];
    letters.forEach((letter, i) => {
      const { message, code, reason, field } = bad[i]!;
      expect(letter.key).toEqual(message.key === null || message.key === undefined ? null : Buffer.from(message.key));
      expect(letter.value).toEqual(message.value === null ? null : Buffer.from(message.value));
      expect(letter.headers[deadLetterHeaders.code]).toBe(code);
      expect(letter.headers[deadLetterHeaders.reason]).toMatch(reason);
      expect(letter.headers[deadLetterHeaders.source]).toBe(`${topic}/0/${offsets[i]}`);
      expect(letter.headers[deadLetterHeaders.field]).toBe(field);
      for (const [name, value] of Object.entries(message.headers ?? {})) expect(letter.headers[name]).toBe(value);
    });
    // The broker can hold a commit before the subscriber has seen its answer and updated its counts.
    await untilPasses(() => expect(sub.stats()).toMatchObject({ results: 2, deadLettered: bad.length }));

    // Still consuming after the poison.
    await ctx.kafka.produce(topic, [{ key: 'c', value: json(good[2]), headers: version }]);
    await eventually(() => stored.length === 3, { what: 'the next result' });
    expect(stored[2]).toEqual(good[2]);
  });

  it('dead-letters a value too large for the dead-letter topic cut short, with its size', async () => {
    const hugeBytes = 3 * 1024 * 1024;
    const topic = await ctx.kafka.createTopic({ config: { 'max.message.bytes': String(8 * 1024 * 1024) } });
    const deadLetterTopic = await ctx.kafka.createTopic({ prefix: 'dlq' });
    const good = makeCheckResult();
    await ctx.kafka.produce(topic, [{ key: 'huge', value: Buffer.alloc(hugeBytes, 0x20) }]);
    await ctx.kafka.produce(topic, [{ key: good.targetId, value: json(good) }]);
    const groupId = ctx.kafka.uniqueGroupId();
    const stored: CheckResult[] = [];
    await subscriber(topic, deadLetterTopic, groupId, stored);

    await eventually(async () => (await committed(groupId, topic)) === '2', { what: 'offsets committed' });
    expect(stored).toEqual([good]);
    const [letter] = await ctx.kafka.readMessages(deadLetterTopic, { atLeast: 1 });
    expect(letter!.key?.toString()).toBe('huge');
    expect(letter!.headers[deadLetterHeaders.truncated]).toBe(String(hugeBytes));
    expect(letter!.headers[deadLetterHeaders.code]).toBe('ERR_SCHEMA_INVALID');
    expect(letter!.value).toEqual(Buffer.alloc(64 * 1024, 0x20));
  });
});
