import { describe, expect, it, jest } from '@jest/globals';
import { schemaVersionHeader, type CheckResult } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { eventually, recordingLogger } from '../../test/helpers.js';
import { processBatch, type BatchContext, type BatchDeps, type BatchHandler } from './batch-processor.js';
import { deadLetterHeaders, type DeadLetter, type RawMessage } from './dead-letter.js';

function messageOf(value: CheckResult | string | null, offset: number, headers: RawMessage['headers'] = {}): RawMessage {
  const bytes = value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  return { key: Buffer.from(typeof value === 'object' && value ? value.targetId : 'k'), value: bytes, headers, offset: String(offset) };
}

function setUp(handleBatch: BatchHandler, overrides: Partial<BatchDeps> = {}) {
  const letters: DeadLetter[] = [];
  const closing = new AbortController();
  const abandon = new AbortController();
  const heartbeat = jest.fn(async () => undefined);
  const deps: BatchDeps = {
    handleBatch,
    deadLetter: async (batch) => void letters.push(...batch),
    heartbeat,
    closing: closing.signal,
    abandon: abandon.signal,
    retry: { initialMs: 5, maxMs: 20 },
    heartbeatIntervalMs: 2,
    log: recordingLogger(),
    counters: { results: 0, deadLettered: 0, retries: 0 },
    ...overrides,
  };
  return { deps, letters, closing, abandon, heartbeat };
}

const batchOf = (messages: RawMessage[]) => ({ topic: 'results', partition: 2, messages });
const retriable = () => Object.assign(new Error('connection lost'), { code: 'ERR_SINK_CONNECT', retriable: true });
const permanent = () => Object.assign(new Error('value out of range'), { code: 'ERR_SINK_INVALID', retriable: false });

describe('processBatch', () => {
  it('hands valid results to the handler and dead-letters the rest first', async () => {
    const good = [makeCheckResult(), makeCheckResult()];
    const calls: { results: CheckResult[]; context: BatchContext }[] = [];
    const events: string[] = [];
    const { deps, letters } = setUp(async (results, context) => {
      events.push('store');
      calls.push({ results, context });
    });
    const send = deps.deadLetter;
    deps.deadLetter = (batch) => (events.push('dead-letter'), send(batch));
    const messages = [messageOf(good[0]!, 10), messageOf('not json', 11), messageOf(good[1]!, 12), messageOf('{}', 13, { [schemaVersionHeader]: '7' }), messageOf(null, 14)];

    await expect(processBatch(batchOf(messages), deps)).resolves.toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.results).toEqual(good);
    expect(calls[0]!.context).toMatchObject({ topic: 'results', partition: 2, firstOffset: '10', lastOffset: '12', attempt: 0 });
    expect(letters.map((l) => [l.headers[deadLetterHeaders.code], l.headers[deadLetterHeaders.source]])).toEqual([
      ['ERR_SCHEMA_NOT_JSON', 'results/2/11'],
      ['ERR_SCHEMA_UNSUPPORTED_VERSION', 'results/2/13'],
      ['ERR_SCHEMA_NOT_JSON', 'results/2/14'],
    ]);
    expect(deps.counters).toEqual({ results: 2, deadLettered: 3, retries: 0 });
    expect(events).toEqual(['dead-letter', 'store']);
  });

  it('does not call the handler for a batch with nothing valid', async () => {
    const handler = jest.fn(async () => undefined);
    const { deps, letters } = setUp(handler);
    await expect(processBatch(batchOf([messageOf('x', 0)]), deps)).resolves.toBe(true);
    expect(handler).not.toHaveBeenCalled();
    expect(letters).toHaveLength(1);
  });

  it('retries a retriable failure with the same results, heartbeating while it waits', async () => {
    const good = [makeCheckResult(), makeCheckResult()];
    const attempts: number[] = [];
    const { deps, heartbeat } = setUp(async (results, { attempt }) => {
      expect(results).toEqual(good);
      attempts.push(attempt);
      if (attempt < 3) throw retriable();
    });
    await expect(processBatch(batchOf(good.map((r, i) => messageOf(r, i))), deps)).resolves.toBe(true);
    expect(attempts).toEqual([0, 1, 2, 3]);
    expect(deps.counters).toMatchObject({ results: 2, retries: 3, deadLettered: 0 });
    expect(heartbeat.mock.calls.length).toBeGreaterThanOrEqual(3);
  });

  it('isolates and dead-letters the results that can never be stored, storing the rest in order', async () => {
    const results = Array.from({ length: 10 }, (_, i) => makeCheckResult({ targetId: i === 2 || i === 7 ? `bad-${i}` : `ok-${i}` }));
    const stored: string[] = [];
    const handler = jest.fn(async (batch: CheckResult[]) => {
      if (batch.some((r) => r.targetId.startsWith('bad'))) throw permanent();
      stored.push(...batch.map((r) => r.targetId));
    });
    const { deps, letters } = setUp(handler);
    await expect(processBatch(batchOf(results.map((r, i) => messageOf(r, i))), deps)).resolves.toBe(true);
    expect(stored).toEqual(results.filter((r) => r.targetId.startsWith('ok')).map((r) => r.targetId));
    expect(letters.map((l) => [l.key?.toString(), l.headers[deadLetterHeaders.code], l.headers[deadLetterHeaders.reason]])).toEqual([
      ['bad-2', 'ERR_SINK_INVALID', 'value out of range'],
      ['bad-7', 'ERR_SINK_INVALID', 'value out of range'],
    ]);
    expect(handler.mock.calls.length).toBeLessThan(15);
    expect(deps.counters).toMatchObject({ results: 8, deadLettered: 2, retries: 0 });
  });

  it('gives up without storing when the subscriber closes during retries', async () => {
    let calls = 0;
    const { deps, closing, letters } = setUp(async () => {
      calls += 1;
      if (calls === 2) closing.abort();
      throw retriable();
    });
    await expect(processBatch(batchOf([messageOf(makeCheckResult(), 0)]), deps)).resolves.toBe(false);
    expect(calls).toBe(2);
    expect(letters).toHaveLength(0);
    expect(deps.counters).toMatchObject({ results: 0, retries: 1 });
  });

  it('does not call the handler again when the subscriber closes while it waits to retry', async () => {
    let calls = 0;
    const { deps, closing } = setUp(async () => {
      calls += 1;
      throw retriable();
    });
    deps.heartbeat = async () => closing.abort();
    await expect(processBatch(batchOf([messageOf(makeCheckResult(), 0)]), deps)).resolves.toBe(false);
    expect(calls).toBe(1);
    expect(deps.counters).toMatchObject({ results: 0, retries: 1 });
  });

  it('stops waiting for a handler that hangs once close() gives up on it', async () => {
    let signal: AbortSignal | undefined;
    const { deps, abandon } = setUp((_results, context) => {
      signal = context.signal;
      return new Promise(() => undefined);
    });
    const done = processBatch(batchOf([messageOf(makeCheckResult(), 0)]), deps);
    await eventually(() => signal !== undefined);
    abandon.abort();
    await expect(done).resolves.toBe(false);
    expect(signal?.aborted).toBe(true);
  });

  it('ends the batch when the group rebalances during a retry', async () => {
    const rebalance = Object.assign(new Error('The group is rebalancing'), { type: 'REBALANCE_IN_PROGRESS' });
    const { deps } = setUp(async () => Promise.reject(retriable()), { heartbeat: async () => Promise.reject(rebalance) });
    await expect(processBatch(batchOf([messageOf(makeCheckResult(), 0)]), deps)).rejects.toBe(rebalance);
  });

  it('keeps trying the dead-letter topic rather than lose a message', async () => {
    let failures = 0;
    const letters: DeadLetter[] = [];
    const { deps } = setUp(async () => undefined, {
      deadLetter: async (batch) => {
        if (++failures <= 2) throw Object.assign(new Error('not authorized'), { retriable: false });
        letters.push(...batch);
      },
    });
    await expect(processBatch(batchOf([messageOf('bad', 0)]), deps)).resolves.toBe(true);
    expect(letters).toHaveLength(1);
    expect(deps.counters).toMatchObject({ deadLettered: 1, retries: 2 });
  });
});
