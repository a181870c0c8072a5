// The target registry against the real broker: the topic is made compacted (and a topic that
// is not is refused), read to its end and written; members of one group share its partitions,
// each reading its own from the beginning and then following them; a member gives its
// partitions up before another is given them; a member that outlives its lease (its event
// loop blocked past the session timeout, as a paused process) knows it at once, gives its
// partitions up, and joins again; a member closed while it waits to try joining again
// stops trying, even when Kafka is back by then.
import { describe, expect, it } from '@jest/globals';
import { noopLogger, type Logger } from '@sitewatch/schema';
import { startTcpProxy } from '../../../tools/testing/tcp-proxy.js';
import { createRegistryMember, readRegistry, writeRegistry, type RegistryListener, type RegistryMember, type RegistryRecord } from '../src/index.js';
import { eventually, recordingLogger, useTestKafka } from './helpers.js';

const ctx = useTestKafka();
const sessionTimeoutMs = 6000;

/** A listener that keeps what it was told, when (monotonic), and the state of its partitions. */
function recorder() {
  const events: { at: number; kind: 'assigned' | 'revoked'; partitions: number[] }[] = [];
  const records: RegistryRecord[] = [];
  const state = new Map<string, string>();
  const held = new Set<number>();
  const listener: RegistryListener = {
    assigned: (partitions) => {
      events.push({ at: performance.now(), kind: 'assigned', partitions });
      for (const p of partitions) held.add(p);
    },
    revoked: (partitions) => {
      events.push({ at: performance.now(), kind: 'revoked', partitions });
      for (const p of partitions) held.delete(p);
      for (const record of records) if (partitions.includes(record.partition)) state.delete(record.key!);
    },
    record: (record) => {
      records.push(record);
      if (record.value === null) state.delete(record.key!);
      else state.set(record.key!, record.value.toString());
    },
  };
  return { listener, events, records, state, held };
}

function member(topic: string, groupId: string, listener: RegistryListener): RegistryMember {
  const created = createRegistryMember({ connection: ctx.kafka.connection(), topic, groupId, listener, sessionTimeoutMs, logger: recordingLogger() });
  ctx.cleanups.push(() => created.close());
  return created;
}

const put = (topic: string, entries: Record<string, string | null>) =>
  writeRegistry({ connection: ctx.kafka.connection(), topic }, Object.entries(entries).map(([key, value]) => ({ key, value: value === null ? null : Buffer.from(value) })));

const keys = (count: number, value = 'v1') => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, value]));

describe('the registry topic', () => {
  it('is created compacted, written and read to its end: the latest value of each key, removed keys left out', async () => {
    const topic = ctx.kafka.uniqueTopicName('registry');
    const options = { connection: ctx.kafka.connection(), topic, createTopic: { partitions: 3, replicationFactor: 1 } };
    expect(await readRegistry(options)).toEqual([]);
    await writeRegistry(options, [
      { key: 'b', value: Buffer.from('1'), headers: { 'sitewatch-schema-version': '1' } },
      { key: 'a', value: Buffer.from('1') },
      { key: 'c', value: Buffer.from('1') },
    ]);
    await writeRegistry(options, [
      { key: 'a', value: Buffer.from('2') },
      { key: 'c', value: null },
    ]);
    const state = await readRegistry(options);
    expect(state.map((record) => [record.key, record.value?.toString()])).toEqual([
      ['a', '2'],
      ['b', '1'],
    ]);
    expect(state[1]!.headers).toEqual({ 'sitewatch-schema-version': '1' });
    const written = await ctx.kafka.readMessages(topic, { atLeast: 5 });
    expect(new Set(written.filter((m) => m.key?.toString() === 'a').map((m) => m.partition)).size).toBe(1);
  });

  it('refuses a topic that is not compacted, and says why', async () => {
    const topic = await ctx.kafka.createTopic({ prefix: 'registry', config: { 'cleanup.policy': 'delete' } });
    await expect(readRegistry({ connection: ctx.kafka.connection(), topic })).rejects.toMatchObject({
      code: 'ERR_TRANSPORT_TOPIC_CONFIG',
      message: expect.stringContaining('cleanup.policy=delete'),
    });
  });
});

describe('registry members', () => {
  it('share the partitions: each reads its own from the beginning, follows them, and gets them only after the other gave them up', async () => {
    const topic = await ctx.kafka.createTopic({ prefix: 'registry', partitions: 4, config: { 'cleanup.policy': 'compact' } });
    const groupId = ctx.kafka.uniqueGroupId();
    await put(topic, keys(12));
    const a = recorder();
    const first = member(topic, groupId, a.listener);
    await first.start();
    await eventually(() => a.state.size === 12, { what: 'the first member to read every record' });
    expect([...a.held].sort()).toEqual([0, 1, 2, 3]);
    expect(first.leaseValid()).toBe(true);

    await put(topic, { k0: 'v2', k1: null, k12: 'v1' });
    await eventually(() => a.state.get('k0') === 'v2' && !a.state.has('k1') && a.state.has('k12'), { what: 'the change to be followed' });

    const b = recorder();
    const second = member(topic, groupId, b.listener);
    await second.start();
    await eventually(() => a.held.size + b.held.size === 4 && a.held.size > 0 && b.held.size > 0, { what: 'the partitions to be shared' });
    expect([...a.held].filter((p) => b.held.has(p))).toEqual([]);
    const revokedAt = a.events.find((event) => event.kind === 'revoked')!.at;
    expect(b.events[0]).toMatchObject({ kind: 'assigned' });
    expect(revokedAt).toBeLessThan(b.events[0]!.at);
    // Each reads its partitions again from the start: together they hold the whole state.
    await eventually(() => a.state.size + b.state.size === 12, { what: 'each member to read its partitions' });
    expect(new Map([...a.state, ...b.state])).toEqual(new Map(Object.entries({ ...keys(13), k0: 'v2', k1: undefined }).filter(([, v]) => v !== undefined)));
    expect([first.leaseValid(), second.leaseValid()]).toEqual([true, true]);

    const leftAt = performance.now();
    await second.close();
    expect(b.events.at(-1)).toMatchObject({ kind: 'revoked' });
    await eventually(() => a.held.size === 4 && a.state.size === 12, { what: 'the first member to take every partition back', timeoutMs: 30_000 });
    // A member that leaves hands over at once, not after the session timeout.
    expect(a.events.at(-1)!.at - leftAt).toBeLessThan(sessionTimeoutMs);
    expect(first.stats()).toMatchObject({ partitions: 4, leaseLapses: 0 });
  });

  it('knows at once that its lease has lapsed after its event loop was blocked past the session timeout, gives up its partitions, and joins again', async () => {
    const topic = await ctx.kafka.createTopic({ prefix: 'registry', partitions: 2, config: { 'cleanup.policy': 'compact' } });
    await put(topic, keys(4));
    const a = recorder();
    const only = member(topic, ctx.kafka.uniqueGroupId(), a.listener);
    await only.start();
    await eventually(() => a.state.size === 4, { what: 'the records' });
    const assignments = only.stats().assignments;

    // A paused process: nothing runs, heartbeats included, for longer than the session.
    const until = performance.now() + sessionTimeoutMs + 1000;
    while (performance.now() < until);
    expect(only.leaseValid()).toBe(false);
    await eventually(() => a.events.some((event) => event.kind === 'revoked' && event.at > until), { what: 'the partitions to be revoked' });
    expect(only.stats().leaseLapses).toBe(1);
    await eventually(() => only.stats().assignments > assignments && a.state.size === 4, { what: 'a new assignment, read again from the start', timeoutMs: 30_000 });
    expect(only.leaseValid()).toBe(true);
    expect([...a.held].sort()).toEqual([0, 1]);
  });

  it('stops trying to join when closed while it waits to try again, even with Kafka back by then', async () => {
    const topic = await ctx.kafka.createTopic({ prefix: 'registry', partitions: 1, config: { 'cleanup.policy': 'compact' } });
    const [host, port] = ctx.kafka.connection().brokers[0]!.split(':');
    const proxy = await startTcpProxy({ targetHost: host!, targetPort: Number(port) });
    ctx.cleanups.push(() => proxy.close());
    await proxy.stop();
    const a = recorder();
    let closed: Promise<void> | undefined;
    // Told synchronously, right before the wait: Kafka comes back, then the member is closed.
    const logger: Logger = {
      ...noopLogger,
      warn: (_fields: unknown, message?: string) => {
        if (message === 'joining the registry group failed; retrying') closed ??= proxy.start().then(() => created.close());
      },
      child: () => logger,
    };
    const created = createRegistryMember({ connection: { ...ctx.kafka.connection(), brokers: [proxy.address] }, topic, groupId: ctx.kafka.uniqueGroupId(), listener: a.listener, sessionTimeoutMs, logger });
    ctx.cleanups.push(() => created.close());
    await expect(created.start()).rejects.toMatchObject({ code: 'ERR_TRANSPORT_CONNECT', retriable: true });
    // Only the close() ends the retrying of a retriable failure.
    expect(closed).toBeDefined();
    await closed;
    expect(a.events).toEqual([]);
    expect(created.ready()).toBe(false);
  });
});
