// Consumer-group behaviour against the real broker: two members share the partitions and
// the survivor takes over when one leaves; a handler slower than the session timeout keeps
// its membership (the subscriber heartbeats while it waits); bad credentials fail start().
import { inspect } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import type { CheckResult } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { createPublisher, createSubscriber, type BatchHandler, type Subscriber, type SubscriberOptions } from '../src/index.js';
import { eventually, quickGroup, recordingLogger, useTestKafka } from './helpers.js';

const ctx = useTestKafka();

function subscriber(options: Pick<SubscriberOptions, 'topic' | 'deadLetterTopic' | 'groupId' | 'handleBatch'> & Partial<SubscriberOptions>): Subscriber {
  const created = createSubscriber({ connection: ctx.kafka.connection(), ...quickGroup, ...options });
  ctx.cleanups.push(() => created.close());
  return created;
}

async function publish(topic: string, results: CheckResult[]): Promise<void> {
  const publisher = createPublisher({ connection: ctx.kafka.connection(), topic });
  for (const result of results) publisher.publish(result);
  await publisher.close();
}

const totalCommitted = async (groupId: string, topic: string) => Object.values(await ctx.kafka.committedOffsets(groupId, topic)).reduce((sum, offset) => sum + Math.max(Number(offset), 0), 0);

describe('consumer group', () => {
  it('shares the partitions between two members, and the survivor takes over when one leaves', async () => {
    const topic = await ctx.kafka.createTopic({ partitions: 4 });
    const deadLetterTopic = await ctx.kafka.createTopic({ prefix: 'dlq' });
    const groupId = ctx.kafka.uniqueGroupId();
    const stored: string[][] = [[], []];
    const handler =
      (member: number): BatchHandler =>
      async (results) =>
        void stored[member]!.push(...results.map((r) => r.id));
    const first = subscriber({ topic, deadLetterTopic, groupId, handleBatch: handler(0) });
    const second = subscriber({ topic, deadLetterTopic, groupId, handleBatch: handler(1) });
    await Promise.all([first.start(), second.start()]);
    await eventually(() => first.stats().partitions === 2 && second.stats().partitions === 2, { what: 'two partitions each' });

    const before = Array.from({ length: 100 }, (_, i) => makeCheckResult({ targetId: `t${i % 20}` }));
    await publish(topic, before);
    await eventually(async () => (await totalCommitted(groupId, topic)) === 100, { what: 'the first 100 committed' });
    expect(stored[0]!.length).toBeGreaterThan(0);
    expect(stored[1]!.length).toBeGreaterThan(0);

    await second.close();
    await eventually(() => first.stats().partitions === 4, { what: 'the survivor to take every partition' });
    const after = Array.from({ length: 100 }, (_, i) => makeCheckResult({ targetId: `t${i % 20}` }));
    await publish(topic, after);
    await eventually(async () => (await totalCommitted(groupId, topic)) === 200, { what: 'all 200 committed' });
    const all = [...stored[0]!, ...stored[1]!];
    expect(new Set(all)).toEqual(new Set([...before, ...after].map((r) => r.id)));
    expect(all).toHaveLength(200);
  });

  it('keeps its membership through a handler slower than the session timeout', async () => {
    const topic = await ctx.kafka.createTopic();
    const deadLetterTopic = await ctx.kafka.createTopic({ prefix: 'dlq' });
    const groupId = ctx.kafka.uniqueGroupId();
    await publish(topic, [makeCheckResult()]);
    let calls = 0;
    const logger = recordingLogger();
    const sub = subscriber({
      topic,
      deadLetterTopic,
      groupId,
      logger,
      handleBatch: async () => {
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 7000));
      },
    });
    await sub.start();
    await eventually(async () => (await totalCommitted(groupId, topic)) === 1, { what: 'the slow batch committed', timeoutMs: 20_000 });
    expect(calls).toBe(1);
    expect(logger.records.filter((r) => r.message === 'joined the consumer group')).toHaveLength(1);
  }, 30_000);

  it('fails start() clearly on wrong SASL credentials, without the password', async () => {
    const topic = await ctx.kafka.createTopic();
    const connection = ctx.kafka.connection('scram-sha-256');
    const password = 'not-the-password-123';
    const logger = recordingLogger();
    const sub = subscriber({ topic, groupId: ctx.kafka.uniqueGroupId(), logger, handleBatch: async () => undefined, connection: { ...connection, sasl: { ...connection.sasl!, password } } });
    const error = await sub.start().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_TRANSPORT_AUTH', retriable: false });
    expect(inspect(error, { depth: 10 })).not.toContain(password);
    expect(logger.records.length).toBeGreaterThan(0);
    expect(inspect(logger.records, { depth: 10 })).not.toContain(password);
  });
});
