// Taking the place of a killed process in its group (options `instance`), against the real
// broker over PLAINTEXT and mutual TLS: a member runs in a child process with a 60 s session,
// is killed with SIGKILL, and a new member of the same instance holds every partition long
// before the dead one's session could have ended. A previous run that still runs (stopped
// with SIGSTOP) is not removed: the new member refuses to start.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createRegistryMember, createSubscriber, type KafkaConnectionOptions } from '../src/index.js';
import { eventually, recordingLogger, useTestKafka } from './helpers.js';

const ctx = useTestKafka();
const sessionTimeoutMs = 60_000;
const partitions = 3;

/** Starts a member in a child process and waits until it is in the group. */
async function startChild(kind: 'subscriber' | 'registry', options: Record<string, unknown>): Promise<ChildProcess> {
  const script = path.join(import.meta.dirname, 'member-process.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', '@sitewatch/source', script, JSON.stringify({ kind, options })], {
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  ctx.cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await eventually(() => output.includes('started\n') || (child.exitCode !== null && output), { what: `the ${kind} child to start`, timeoutMs: 45_000 });
  expect(output).toContain('started\n');
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

function setUp(listener: 'plaintext' | 'tls'): { connection: KafkaConnectionOptions; groupId: string; instance: { name: string; stateDirectory: string } } {
  const stateDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-instance-'));
  ctx.cleanups.push(async () => fs.rmSync(stateDirectory, { recursive: true, force: true }));
  return { connection: ctx.kafka.connection(listener), groupId: ctx.kafka.uniqueGroupId(), instance: { name: 'member-1', stateDirectory } };
}

describe.each(['plaintext', 'tls'] as const)('a restarted member over %s', (listener) => {
  it('a subscriber holds every partition long before the killed run\'s session ends', async () => {
    const { connection, groupId, instance } = setUp(listener);
    const topic = await ctx.kafka.createTopic({ partitions });
    const deadLetterTopic = await ctx.kafka.createTopic({ prefix: 'dlq' });
    const options = { connection, topic, deadLetterTopic, groupId, instance, sessionTimeoutMs, heartbeatIntervalMs: 1000, fetchMaxWaitMs: 100 };
    await kill(await startChild('subscriber', options));

    const logger = recordingLogger();
    const started = performance.now();
    const subscriber = createSubscriber({ ...options, logger, handleBatch: async () => undefined });
    ctx.cleanups.push(() => subscriber.close());
    await subscriber.start();
    await eventually(() => subscriber.stats().partitions === partitions, { what: 'every partition', timeoutMs: sessionTimeoutMs });
    const takeoverMs = performance.now() - started;
    // Without taking the place, the group would wait for the dead member for 60 s.
    expect(takeoverMs).toBeLessThan(sessionTimeoutMs / 2);
    expect(logger.records.find((r) => r.message === 'took the place of the previous run in the group')?.fields).toMatchObject({ outcome: 'removed' });
  }, 90_000);

  it('a registry member holds every partition long before the killed run\'s session ends', async () => {
    const { connection, groupId, instance } = setUp(listener);
    const topic = await ctx.kafka.createTopic({ partitions, config: { 'cleanup.policy': 'compact' } });
    const options = { connection, topic, groupId, instance, sessionTimeoutMs, heartbeatIntervalMs: 1000 };
    await kill(await startChild('registry', options));

    const held: number[] = [];
    const started = performance.now();
    const tell = { assigned: (p: number[]) => held.push(...p), revoked: () => held.splice(0), record: () => undefined };
    const member = createRegistryMember({ ...options, listener: tell });
    ctx.cleanups.push(() => member.close());
    await member.start();
    await eventually(() => held.length === partitions && member.leaseValid(), { what: 'every partition, under a lease', timeoutMs: sessionTimeoutMs });
    expect(performance.now() - started).toBeLessThan(sessionTimeoutMs / 2);
  }, 90_000);
});

it('refuses to take the place of a previous run that still runs (paused), naming it', async () => {
  const { connection, groupId, instance } = setUp('plaintext');
  const topic = await ctx.kafka.createTopic({ partitions, config: { 'cleanup.policy': 'compact' } });
  const options = { connection, topic, groupId, instance, sessionTimeoutMs: 10_000 };
  const child = await startChild('registry', options);
  child.kill('SIGSTOP');
  try {
    const member = createRegistryMember({ ...options, listener: { assigned: () => undefined, revoked: () => undefined, record: () => undefined } });
    ctx.cleanups.push(() => member.close());
    const error = await member.start().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_TRANSPORT_IN_USE', retriable: false });
    expect(String((error as Error).message)).toContain(`process ${child.pid}`);
  } finally {
    child.kill('SIGCONT');
  }
}, 60_000);
