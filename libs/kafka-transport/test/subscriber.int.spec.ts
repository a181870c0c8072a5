// The subscriber against the real broker: round trips over every listener kind, per-target
// order across partitions, commit only after the handler stored the batch, retries of
// passing failures, and isolation of results that can never be stored.
import { describe, expect, it } from '@jest/globals';
import type { CheckResult } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { createPublisher, createSubscriber, deadLetterHeaders, type BatchHandler, type KafkaConnectionOptions, type Subscriber, type SubscriberOptions } from '../src/index.js';
import { type TestKafkaListener } from '../src/testing.js';
import { untilPasses } from '../../../tools/testing/wait-for.js';
import { eventually, quickGroup, recordingLogger, useTestKafka } from './helpers.js';

const ctx = useTestKafka();

type Options = Omit<SubscriberOptions, 'connection' | 'groupId'> & Partial<Pick<SubscriberOptions, 'connection' | 'groupId'>>;

/** A started subscriber with settings that keep a test fast (short fetch wait and session). */
async function subscriber(options: Options): Promise<Subscriber> {
  const created = createSubscriber({
    connection: ctx.kafka.connection(),
    groupId: ctx.kafka.uniqueGroupId(),
    ...quickGroup,
    retry: { initialMs: 20, maxMs: 200 },
    closeTimeoutMs: 2000,
    ...options,
  });
  ctx.cleanups.push(() => created.close());
  await created.start();
  return created;
}

async function topics(partitions = 1): Promise<{ topic: string; deadLetterTopic: string }> {
  return { topic: await ctx.kafka.createTopic({ partitions }), deadLetterTopic: await ctx.kafka.createTopic({ prefix: 'dlq' }) };
}

async function publish(topic: string, results: CheckResult[], connection: KafkaConnectionOptions = ctx.kafka.connection()): Promise<void> {
  const publisher = createPublisher({ connection, topic });
  for (const result of results) publisher.publish(result);
  await publisher.close();
  expect(publisher.stats().published).toBe(results.length);
}

/** A handler that keeps what it is given, with the partition it came from. */
function collector(): { handleBatch: BatchHandler; stored: { result: CheckResult; partition: number }[] } {
  const stored: { result: CheckResult; partition: number }[] = [];
  return { stored, handleBatch: async (results, { partition }) => void stored.push(...results.map((result) => ({ result, partition }))) };
}

const sortById = (results: CheckResult[]) => [...results].sort((a, b) => a.id.localeCompare(b.id));
const totalCommitted = async (groupId: string, topic: string) => Object.values(await ctx.kafka.committedOffsets(groupId, topic)).reduce((sum, offset) => sum + Math.max(Number(offset), 0), 0);

describe('subscriber round trip', () => {
  const fileTls = (): KafkaConnectionOptions => ({
    brokers: ctx.kafka.tls.brokers,
    tls: { caFile: process.env.KAFKA_SSL_CA_FILE!, certFile: process.env.KAFKA_SSL_CERT_FILE!, keyFile: process.env.KAFKA_SSL_KEY_FILE! },
  });

  it.each<TestKafkaListener>(['plaintext', 'tls', 'scram-sha-512'])('delivers every result over %s and commits', async (listener) => {
    const { topic, deadLetterTopic } = await topics(2);
    const sent = Array.from({ length: 20 }, (_, i) => makeCheckResult({ targetId: `t${i % 4}` }));
    await publish(topic, sent, ctx.kafka.connection(listener));
    const { handleBatch, stored } = collector();
    const groupId = ctx.kafka.uniqueGroupId();
    // The mutual-TLS subscriber reads its PEM files itself; the publisher got PEM strings.
    const connection = listener === 'tls' ? fileTls() : ctx.kafka.connection(listener);
    const sub = await subscriber({ connection, topic, deadLetterTopic, groupId, handleBatch });
    expect(sub.ready()).toBe(true);

    await eventually(() => stored.length >= 20, { what: '20 results' });
    expect(sortById(stored.map((s) => s.result))).toEqual(sortById(sent));
    await eventually(async () => (await totalCommitted(groupId, topic)) === 20, { what: 'offsets committed' });
    // The lag is counted once the commit has returned, a moment after the broker has it.
    await untilPasses(() => expect(sub.stats()).toMatchObject({ results: 20, deadLettered: 0, lag: 0, partitions: 2 }));
  });
});

describe('subscriber ordering', () => {
  it('keeps each target in order, and on one partition, across several partitions', async () => {
    const { topic, deadLetterTopic } = await topics(4);
    const targets = 8;
    const sent = Array.from({ length: 200 }, (_, i) => makeCheckResult({ targetId: `target-${i % targets}`, responseTimeMs: i }));
    await publish(topic, sent);
    const { handleBatch, stored } = collector();
    await subscriber({ topic, deadLetterTopic, handleBatch });
    await eventually(() => stored.length >= 200, { what: '200 results' });

    expect(new Set(stored.map((s) => s.partition)).size).toBeGreaterThan(1);
    for (let t = 0; t < targets; t++) {
      const mine = stored.filter((s) => s.result.targetId === `target-${t}`);
      expect(mine.map((s) => s.result.responseTimeMs)).toEqual(sent.filter((r) => r.targetId === `target-${t}`).map((r) => r.responseTimeMs));
      expect(new Set(mine.map((s) => s.partition)).size).toBe(1);
    }
  });
});

describe('commit after store', () => {
  it('delivers a batch again when the subscriber closed before the handler finished', async () => {
    const { topic, deadLetterTopic } = await topics();
    const sent = Array.from({ length: 10 }, () => makeCheckResult());
    await publish(topic, sent);
    const groupId = ctx.kafka.uniqueGroupId();
    const seen: CheckResult[] = [];
    const hanging = await subscriber({
      topic,
      deadLetterTopic,
      groupId,
      closeTimeoutMs: 300,
      handleBatch: (results) => {
        seen.push(...results);
        return new Promise(() => undefined);
      },
    });
    await eventually(() => seen.length >= 10, { what: 'the handler to be called' });
    await hanging.close();
    expect(await ctx.kafka.committedOffsets(groupId, topic)).toEqual({ 0: '-1' });

    const { handleBatch, stored } = collector();
    await subscriber({ topic, deadLetterTopic, groupId, handleBatch });
    await eventually(() => stored.length >= 10, { what: 'the batch again' });
    expect(stored.map((s) => s.result.id)).toEqual(seen.map((r) => r.id));
    await eventually(async () => (await totalCommitted(groupId, topic)) === 10, { what: 'offsets committed' });
  });

  it('retries a retriable failure with the same results until they are stored', async () => {
    const { topic, deadLetterTopic } = await topics();
    const sent = Array.from({ length: 10 }, () => makeCheckResult());
    await publish(topic, sent);
    const groupId = ctx.kafka.uniqueGroupId();
    const calls: { ids: string[]; attempt: number }[] = [];
    const sub = await subscriber({
      topic,
      deadLetterTopic,
      groupId,
      handleBatch: async (results, { attempt }) => {
        calls.push({ ids: results.map((r) => r.id), attempt });
        if (calls.length <= 2) throw Object.assign(new Error('database is restarting'), { code: 'ERR_SINK_CONNECT', retriable: true });
      },
    });
    await eventually(async () => (await totalCommitted(groupId, topic)) === 10, { what: 'offsets committed' });
    expect(calls.map((c) => c.attempt)).toEqual([0, 1, 2]);
    for (const call of calls) expect(call.ids).toEqual(sent.map((r) => r.id));
    // `batches` counts a batch once its commit has returned, a moment after the broker has it.
    await untilPasses(() => expect(sub.stats()).toMatchObject({ results: 10, retries: 2, deadLettered: 0, batches: 1 }));
  });

  it('dead-letters only the result that can never be stored, and stores the rest in order', async () => {
    const { topic, deadLetterTopic } = await topics();
    const sent = Array.from({ length: 9 }, (_, i) => makeCheckResult({ targetId: i === 5 ? 'poison' : `t${i}` }));
    await publish(topic, sent);
    const groupId = ctx.kafka.uniqueGroupId();
    const stored: CheckResult[] = [];
    const logger = recordingLogger();
    const sub = await subscriber({
      topic,
      deadLetterTopic,
      groupId,
      logger,
      handleBatch: async (results) => {
        if (results.some((r) => r.targetId === 'poison')) throw Object.assign(new Error('value too long for column target_id'), { code: 'ERR_SINK_INVALID', retriable: false });
        stored.push(...results);
      },
    });
    await eventually(async () => (await totalCommitted(groupId, topic)) === 9, { what: 'offsets committed' });
    expect(stored.map((r) => r.id)).toEqual(sent.filter((r) => r.targetId !== 'poison').map((r) => r.id));
    const [letter, ...others] = await ctx.kafka.readMessages(deadLetterTopic, { atLeast: 1 });
    expect(others).toHaveLength(0);
    expect(letter!.key?.toString()).toBe('poison');
    expect((JSON.parse(letter!.value!.toString()) as CheckResult).id).toBe(sent[5]!.id);
    expect(letter!.headers).toMatchObject({
      [deadLetterHeaders.code]: 'ERR_SINK_INVALID',
      [deadLetterHeaders.reason]: 'value too long for column target_id',
      [deadLetterHeaders.source]: `${topic}/0/5`,
    });
    await untilPasses(() => expect(sub.stats()).toMatchObject({ results: 8, deadLettered: 1 }));
    expect(logger.records.some((r) => r.level === 'error' && r.fields.code === 'ERR_SINK_INVALID')).toBe(true);
  });
});

describe('fetching while storing', () => {
  /** 60 results on one partition, in 12 produce requests: many small batches. */
  async function backlog(topic: string): Promise<CheckResult[]> {
    const sent = Array.from({ length: 60 }, (_, i) => makeCheckResult({ targetId: `t${i % 3}` }));
    for (let i = 0; i < sent.length; i += 5) await publish(topic, sent.slice(i, i + 5));
    return sent;
  }

  it('fetches the next batches while one is stored, up to maxBufferedResults, and commits none before its store', async () => {
    const { topic, deadLetterTopic } = await topics();
    const sent = await backlog(topic);
    const groupId = ctx.kafka.uniqueGroupId();
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const calls: CheckResult[][] = [];
    const sub = await subscriber({
      topic,
      deadLetterTopic,
      groupId,
      maxBytesPerPartition: 1024,
      maxBufferedResults: 20,
      handleBatch: async (results) => {
        calls.push(results);
        if (calls.length === 1) await blocked;
      },
    });
    await eventually(() => calls.length === 1, { what: 'the first store to start' });
    // The first store hangs; fetching went on past it, until more than the bound was held.
    await eventually(() => sub.stats().buffered > 20, { what: 'batches fetched while the first is stored' });
    expect(calls).toHaveLength(1);
    expect(sub.stats().buffered).toBeGreaterThan(calls[0]!.length);
    expect(sub.stats().buffered).toBeLessThan(sent.length);
    expect(await ctx.kafka.committedOffsets(groupId, topic)).toEqual({ 0: '-1' });
    release();
    await eventually(async () => (await totalCommitted(groupId, topic)) === sent.length, { what: 'every batch committed' });
    expect(calls.flat().map((r) => r.id)).toEqual(sent.map((r) => r.id));
    // The broker can hold a commit before the subscriber has seen its answer and updated its counts.
    await untilPasses(() => expect(sub.stats()).toMatchObject({ results: sent.length, buffered: 0, lag: 0 }));
  });

  it('commits nothing past a batch that was not stored: closing during it delivers it and everything fetched after it again', async () => {
    const { topic, deadLetterTopic } = await topics();
    const sent = await backlog(topic);
    const groupId = ctx.kafka.uniqueGroupId();
    const seen: CheckResult[][] = [];
    const hanging = await subscriber({
      topic,
      deadLetterTopic,
      groupId,
      maxBytesPerPartition: 1024,
      closeTimeoutMs: 300,
      handleBatch: (results) => {
        seen.push(results);
        return new Promise(() => undefined);
      },
    });
    await eventually(() => seen.length === 1 && hanging.stats().buffered === sent.length, { what: 'the rest fetched behind the hanging store' });
    await hanging.close();
    expect(seen).toHaveLength(1);
    expect(await ctx.kafka.committedOffsets(groupId, topic)).toEqual({ 0: '-1' });

    const { handleBatch, stored } = collector();
    await subscriber({ topic, deadLetterTopic, groupId, handleBatch });
    await eventually(async () => (await totalCommitted(groupId, topic)) === sent.length, { what: 'offsets committed' });
    expect(stored.map((s) => s.result.id)).toEqual(sent.map((r) => r.id));
  });
});

describe('subscriber lag', () => {
  it('counts the backlog of partitions it has not committed yet, from the broker, then drains', async () => {
    const { topic, deadLetterTopic } = await topics(2);
    const sent = Array.from({ length: 300 }, (_, i) => makeCheckResult({ targetId: `t${i % 10}` }));
    await publish(topic, sent);
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const sub = await subscriber({ topic, deadLetterTopic, handleBatch: () => released });
    // Nothing is committed yet: the whole backlog is behind, on both partitions.
    await eventually(() => sub.stats().lag === sent.length, { what: `a lag of ${sent.length}` });
    release();
    await eventually(() => sub.stats().lag === 0 && sub.stats().results === sent.length, { what: 'the lag to drain' });
  });
});

describe('subscriber topics', () => {
  it('refuses to start when the topic is missing, naming it', async () => {
    const topic = ctx.kafka.uniqueTopicName();
    const sub = createSubscriber({ connection: ctx.kafka.connection(), topic, groupId: ctx.kafka.uniqueGroupId(), handleBatch: async () => undefined });
    ctx.cleanups.push(() => sub.close());
    await expect(sub.start()).rejects.toMatchObject({ code: 'ERR_TRANSPORT_TOPIC_MISSING', message: expect.stringContaining(topic) });
    expect(sub.ready()).toBe(false);
  });

  it('creates the topic and the dead-letter topic when asked to', async () => {
    const topic = ctx.kafka.uniqueTopicName();
    const deadLetterTopic = ctx.kafka.uniqueTopicName('dlq');
    await subscriber({ topic, deadLetterTopic, createTopic: { partitions: 2, replicationFactor: 1 }, handleBatch: async () => undefined });
    await expect(ctx.kafka.partitionCount(topic)).resolves.toBe(2);
    await expect(ctx.kafka.partitionCount(deadLetterTopic)).resolves.toBe(2);
  });
});

describe('subscriber drain', () => {
  it('resolves once everything the topic held is stored and committed, and at once for an empty topic', async () => {
    const { topic, deadLetterTopic } = await topics(3);
    const empty = await subscriber({ ...(await topics(2)), handleBatch: async () => undefined });
    await empty.drain(AbortSignal.timeout(30_000));

    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const stored: CheckResult[] = [];
    const groupId = ctx.kafka.uniqueGroupId();
    const sub = await subscriber({ topic, deadLetterTopic, groupId, handleBatch: async (results) => void stored.push(...(await gate.then(() => results))) });
    await publish(topic, Array.from({ length: 30 }, (_, i) => makeCheckResult({ targetId: `t${i}` })));
    const drained = sub.drain(AbortSignal.timeout(30_000)).then(() => ({ stored: stored.length }));
    open();
    expect(await drained).toEqual({ stored: 30 });
    expect(await totalCommitted(groupId, topic)).toBe(30);
  });

  it("rejects with the signal's reason when the group cannot store in time", async () => {
    const { topic, deadLetterTopic } = await topics(1);
    const sub = await subscriber({ topic, deadLetterTopic, handleBatch: () => new Promise(() => undefined) });
    await publish(topic, [makeCheckResult()]);
    await expect(sub.drain(AbortSignal.timeout(1000))).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
