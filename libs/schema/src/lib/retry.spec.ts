import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { SitewatchError } from './errors.js';
import { hasRetriableFlag, retry } from './retry.js';

const backoff = { initialMs: 100, maxMs: 1000 };
const passing = () => new SitewatchError('ERR_TEST_BUSY', 'busy', { retriable: true });
const lasting = () => new SitewatchError('ERR_TEST_BAD', 'bad');

/** A step failing with each of `failures` in turn, then resolving `'done'`; records the attempts it was called with. */
function failing(...failures: Error[]) {
  const attempts: number[] = [];
  const step = async (attempt: number) => {
    attempts.push(attempt);
    const failure = failures[attempts.length - 1];
    if (failure) throw failure;
    return 'done';
  };
  return { step, attempts };
}

/** Settles `promise` into a value to assert on, without an unhandled rejection meanwhile. */
function outcome<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return promise.then((value) => ({ value }), (error: unknown) => ({ error }));
}

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

describe('retry', () => {
  it('retries retriable failures after the backoff delays, telling onRetry each, and resolves the value', async () => {
    const first = passing();
    const second = passing();
    const { step, attempts } = failing(first, second);
    const retried: [unknown, number, number][] = [];
    const result = outcome(retry(step, { backoff, onRetry: (error, attempt, delayMs) => retried.push([error, attempt, delayMs]) }));

    await jest.advanceTimersByTimeAsync(0);
    expect(attempts).toEqual([0]);
    expect(retried).toEqual([[first, 0, expect.any(Number)]]);
    const firstDelay = retried[0]![2];
    // backoffDelay: half of initialMs fixed, half random.
    expect(firstDelay).toBeGreaterThanOrEqual(50);
    expect(firstDelay).toBeLessThanOrEqual(100);
    await jest.advanceTimersByTimeAsync(firstDelay - 1);
    expect(attempts).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(attempts).toEqual([0, 1]);

    expect(retried[1]).toEqual([second, 1, expect.any(Number)]);
    const secondDelay = retried[1]![2];
    expect(secondDelay).toBeGreaterThanOrEqual(100);
    expect(secondDelay).toBeLessThanOrEqual(200);
    await jest.advanceTimersByTimeAsync(secondDelay);
    expect(attempts).toEqual([0, 1, 2]);
    await expect(result).resolves.toEqual({ value: 'done' });
  });

  it('throws a failure that is not retriable at once, as it is', async () => {
    const bad = lasting();
    const { step, attempts } = failing(passing(), bad);
    const onRetry = jest.fn();
    const result = outcome(retry(step, { backoff, onRetry }));
    await jest.advanceTimersByTimeAsync(100);
    await expect(result).resolves.toEqual({ error: bad });
    expect(attempts).toEqual([0, 1]);
    expect(onRetry).toHaveBeenCalledTimes(1);

    const plain = new Error('no retriable flag');
    await expect(retry(failing(plain).step, { backoff })).rejects.toBe(plain);
  });

  it('asks isRetriable instead of the retriable flag when given one', async () => {
    const odd = new Error('odd');
    const { step, attempts } = failing(odd, odd, passing());
    const result = outcome(retry(step, { backoff, isRetriable: (error) => error === odd }));
    await jest.advanceTimersByTimeAsync(1000);
    expect(attempts).toEqual([0, 1, 2]);
    expect(await result).toEqual({ error: expect.objectContaining({ code: 'ERR_TEST_BUSY' }) });
  });

  it('throws the failure after the last of `retries` attempts', async () => {
    const failures = [passing(), passing(), passing(), passing()];
    const { step, attempts } = failing(...failures);
    const result = outcome(retry(step, { backoff, retries: 2 }));
    await jest.advanceTimersByTimeAsync(10_000);
    await expect(result).resolves.toEqual({ error: failures[2] });
    expect(attempts).toEqual([0, 1, 2]);
  });

  it('stops when the signal aborts during a wait, throwing the last failure', async () => {
    const controller = new AbortController();
    const busy = passing();
    const { step, attempts } = failing(busy, passing());
    const result = outcome(retry(step, { backoff, signal: controller.signal }));
    await jest.advanceTimersByTimeAsync(10);
    controller.abort();
    await expect(result).resolves.toEqual({ error: busy });
    await jest.advanceTimersByTimeAsync(10_000);
    expect(attempts).toEqual([0]);
  });

  it('does not wait when the signal aborted before the failure', async () => {
    const controller = new AbortController();
    const busy = passing();
    const onRetry = jest.fn();
    const step = async () => {
      controller.abort();
      throw busy;
    };
    await expect(retry(step, { backoff, signal: controller.signal, onRetry })).rejects.toBe(busy);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('waits with the given wait, whose rejection ends it', async () => {
    const controller = new AbortController();
    const waits: [number, AbortSignal | undefined][] = [];
    const wait = async (delayMs: number, signal?: AbortSignal) => {
      waits.push([delayMs, signal]);
      if (waits.length === 2) throw new Error('rebalanced');
    };
    const { step, attempts } = failing(passing(), passing(), passing());
    await expect(retry(step, { backoff, signal: controller.signal, wait })).rejects.toThrow('rebalanced');
    expect(attempts).toEqual([0, 1]);
    expect(waits).toEqual([
      [expect.any(Number), controller.signal],
      [expect.any(Number), controller.signal],
    ]);
  });
});

describe('hasRetriableFlag', () => {
  it('is true only for a failure whose retriable is true', () => {
    expect(hasRetriableFlag(passing())).toBe(true);
    expect(hasRetriableFlag(Object.assign(new Error('kafkajs-like'), { retriable: true }))).toBe(true);
    expect(hasRetriableFlag(lasting())).toBe(false);
    expect(hasRetriableFlag(Object.assign(new Error('truthy'), { retriable: 'yes' }))).toBe(false);
    expect(hasRetriableFlag(new Error('plain'))).toBe(false);
    expect(hasRetriableFlag(null)).toBe(false);
    expect(hasRetriableFlag(undefined)).toBe(false);
  });
});
