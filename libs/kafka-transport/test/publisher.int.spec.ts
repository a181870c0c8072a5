// The publisher against the real broker: keyed, versioned, batched writes; topic creation;
// buffering through an outage (a proxy in front of the broker that the test stops and
// starts); the drop bound; close() flushing, and close() giving up on a dead broker.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { decode, schemaVersionHeader, type CheckResult } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { createPublisher, type Publisher, type PublisherOptions, type TransportError } from '../src/index.js';
import { startTcpProxy, type TcpProxy } from '../../../tools/testing/tcp-proxy.js';
import { eventually, recordingLogger, useTestKafka } from './helpers.js';

const ctx = useTestKafka();

function publisher(options: Omit<PublisherOptions, 'connection'> & Partial<Pick<PublisherOptions, 'connection'>>): Publisher {
  const created = createPublisher({ connection: ctx.kafka.connection(), ...options });
  ctx.cleanups.push(() => created.close());
  return created;
}

async function stoppedProxy(): Promise<TcpProxy> {
  const [host, port] = ctx.kafka.brokers[0]!.split(':');
  const proxy = await startTcpProxy({ targetHost: host!, targetPort: Number(port) });
  ctx.cleanups.push(() => proxy.close());
  await proxy.stop();
  return proxy;
}

function results(count: number, targets = 5): CheckResult[] {
  return Array.from({ length: count }, (_, i) => makeCheckResult({ targetId: `target-${i % targets}`, responseTimeMs: i }));
}

const fastRetry = { initialMs: 20, maxMs: 200 };

describe('publisher', () => {
  it('writes results keyed by target, with the schema version header, in few requests', async () => {
    const topic = await ctx.kafka.createTopic({ partitions: 3 });
    const sent = results(300);
    const p = publisher({ topic });
    for (const result of sent) p.publish(result);
    await p.flush();
    expect(p.stats()).toMatchObject({ published: 300, buffered: 0, dropped: 0 });
    expect(p.stats().batches).toBeLessThanOrEqual(3);
    expect(p.ready()).toBe(true);

    const messages = await ctx.kafka.readMessages(topic, { atLeast: 300 });
    expect(messages).toHaveLength(300);
    const byId = new Map(sent.map((result) => [result.id, result]));
    const partitionOf = new Map<string, number>();
    for (const message of messages) {
      const decoded = decode(message.value);
      if (!decoded.ok) throw decoded.error;
      expect(decoded.value).toEqual(byId.get(decoded.value.id));
      expect(message.key?.toString()).toBe(decoded.value.targetId);
      expect(message.headers[schemaVersionHeader]).toBe('1');
      expect(partitionOf.get(decoded.value.targetId) ?? message.partition).toBe(message.partition);
      partitionOf.set(decoded.value.targetId, message.partition);
    }
  });

  it('creates a missing topic with the configured partitions', async () => {
    const topic = ctx.kafka.uniqueTopicName();
    const p = publisher({ topic, createTopic: { partitions: 3, replicationFactor: 1 } });
    p.publish(makeCheckResult());
    await p.flush();
    await expect(ctx.kafka.partitionCount(topic)).resolves.toBe(3);
    await expect(ctx.kafka.readMessages(topic, { atLeast: 1 })).resolves.toHaveLength(1);
  });

  it('buffers while Kafka is unreachable and delivers everything, in order, when it is back', async () => {
    const topic = await ctx.kafka.createTopic();
    const proxy = await stoppedProxy();
    const logger = recordingLogger();
    const p = publisher({ topic, logger, connection: { brokers: [proxy.address], connectionTimeoutMs: 500 }, retry: fastRetry });
    const sent = results(50);
    for (const result of sent) p.publish(result);

    await eventually(() => p.stats().sendErrors >= 3, { what: 'failed sends' });
    expect(p.stats()).toMatchObject({ buffered: 50, published: 0, dropped: 0 });
    expect(p.ready()).toBe(false);
    expect(logger.records.filter((r) => r.message === 'cannot publish to Kafka; buffering and retrying')).toHaveLength(1);

    await proxy.start();
    await p.flush();
    expect(p.stats()).toMatchObject({ buffered: 0, published: 50, dropped: 0 });
    expect(p.ready()).toBe(true);
    expect(logger.records.some((r) => r.message === 'publishing resumed')).toBe(true);
    const received = (await ctx.kafka.readMessages(topic, { atLeast: 50 })).map((m) => (decode(m.value) as { value: CheckResult }).value.id);
    expect(received).toEqual(sent.map((result) => result.id));
  });

  it('drops exactly the oldest results beyond the bound, and says so', async () => {
    const topic = await ctx.kafka.createTopic();
    const proxy = await stoppedProxy();
    const logger = recordingLogger();
    const p = publisher({ topic, logger, connection: { brokers: [proxy.address], connectionTimeoutMs: 500 }, maxBufferedResults: 20, maxBatchResults: 10, retry: fastRetry });
    const sent = results(35);
    for (const result of sent) p.publish(result);
    expect(p.stats()).toMatchObject({ buffered: 20, dropped: 15 });
    const dropLog = logger.records.find((r) => r.message === 'dropped results: the buffer is full');
    expect(dropLog?.level).toBe('error');

    await proxy.start();
    await p.flush();
    expect(p.stats()).toMatchObject({ buffered: 0, published: 20, dropped: 15 });
    const received = (await ctx.kafka.readMessages(topic, { atLeast: 20 })).map((m) => (decode(m.value) as { value: CheckResult }).value.id);
    expect(received).toEqual(sent.slice(15).map((result) => result.id));
    // Every drop is in a log line: the first at once, the rest when publishing resumed.
    const logged = logger.records.filter((r) => r.message === 'dropped results: the buffer is full').reduce((sum, r) => sum + (r.fields.dropped as number), 0);
    expect(logged).toBe(15);
  });

  it('halves batches the topic finds too large, and drops (counting) a result too large alone', async () => {
    const topic = await ctx.kafka.createTopic({ config: { 'max.message.bytes': '2000' } });
    const logger = recordingLogger();
    const p = publisher({ topic, logger, compression: 'none', retry: fastRetry });
    const fits = results(20);
    const tooLarge = makeCheckResult({ url: `https://example.test/${'x'.repeat(2000)}` });
    for (const result of [...fits.slice(0, 10), tooLarge, ...fits.slice(10)]) p.publish(result);
    await p.flush();
    expect(p.stats()).toMatchObject({ published: 20, dropped: 1, buffered: 0 });
    expect(p.stats().batches).toBeGreaterThan(3);
    expect(logger.records.find((r) => r.message === 'dropped a result larger than the topic accepts')?.fields).toMatchObject({ targetId: tooLarge.targetId });
    const received = (await ctx.kafka.readMessages(topic, { atLeast: 20 })).map((m) => (decode(m.value) as { value: CheckResult }).value.id);
    expect(received).toEqual(fits.map((result) => result.id));
  });

  it('sends what is buffered on close()', async () => {
    const topic = await ctx.kafka.createTopic({ partitions: 2 });
    const p = publisher({ topic, lingerMs: 1000 });
    for (const result of results(100)) p.publish(result);
    await p.close();
    expect(p.stats()).toMatchObject({ published: 100, buffered: 0, dropped: 0 });
    await expect(ctx.kafka.readMessages(topic, { atLeast: 100 })).resolves.toHaveLength(100);
  });

  it('with a spool, keeps on disk what Kafka did not take at close, and the next publisher sends it first', async () => {
    const topic = await ctx.kafka.createTopic();
    const proxy = await stoppedProxy();
    const spool = { directory: fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-spool-')) };
    ctx.cleanups.push(async () => fs.rmSync(spool.directory, { recursive: true, force: true }));
    const logger = recordingLogger();
    const first = publisher({ topic, logger, spool, connection: { brokers: [proxy.address], connectionTimeoutMs: 500 }, closeTimeoutMs: 300, retry: fastRetry });
    const kept = results(20);
    for (const result of kept) first.publish(result);
    await first.close();
    expect(first.stats()).toMatchObject({ published: 0, dropped: 0, spool: { results: 20, dropped: 0 } });
    expect(logger.records.find((r) => r.message === 'results kept in the spool for the next start')?.fields).toMatchObject({ results: 20 });

    await proxy.start();
    const second = publisher({ topic, logger, spool, connection: { brokers: [proxy.address] } });
    const fresh = results(5);
    for (const result of fresh) second.publish(result);
    await second.flush();
    expect(second.stats()).toMatchObject({ published: 25, spool: { results: 0, replayed: 20 } });
    const received = (await ctx.kafka.readMessages(topic, { atLeast: 25 })).map((m) => (decode(m.value) as { value: CheckResult }).value.id);
    expect(received).toEqual([...kept, ...fresh].map((result) => result.id));
  });

  it('gives up on close() after closeTimeoutMs when Kafka is unreachable, counting what it drops', async () => {
    const topic = await ctx.kafka.createTopic();
    const proxy = await stoppedProxy();
    const logger = recordingLogger();
    const p = publisher({ topic, logger, connection: { brokers: [proxy.address], connectionTimeoutMs: 500 }, closeTimeoutMs: 300, retry: fastRetry });
    for (const result of results(5)) p.publish(result);
    const started = Date.now();
    await p.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(p.stats()).toMatchObject({ published: 0, buffered: 0, dropped: 5 });
    expect(logger.records.find((r) => r.message === 'closed with results not sent')?.fields).toMatchObject({ dropped: 5 });
    expect(() => p.publish(makeCheckResult())).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_CLOSED' }));
    await expect(p.flush()).rejects.toMatchObject({ code: 'ERR_TRANSPORT_CLOSED' });
    await expect(p.close()).resolves.toBeUndefined();
  });

  it('tells onError of a refused TLS handshake as not retriable, while it keeps retrying', async () => {
    const errors: TransportError[] = [];
    const { brokers, ca } = ctx.kafka.tls;
    const created = publisher({
      connection: { brokers, tls: { ca } },
      topic: ctx.kafka.uniqueTopicName(),
      retry: fastRetry,
      closeTimeoutMs: 0,
      onError: (error) => errors.push(error),
    });
    created.publish(makeCheckResult());
    await eventually(() => errors.length >= 2, { what: 'two failed attempts' });
    expect(errors[0]).toMatchObject({ code: 'ERR_TRANSPORT_TLS', retriable: false });
    expect(created.ready()).toBe(false);
  });
});
