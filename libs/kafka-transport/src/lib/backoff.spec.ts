import { describe, expect, it } from '@jest/globals';
import { backoffDelay, resolveBackoff, sleep } from './backoff.js';

describe('backoffDelay', () => {
  const backoff = { initialMs: 100, maxMs: 1000 };

  it('doubles from initialMs, half fixed and half random', () => {
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(backoff, attempt, () => 0))).toEqual([50, 100, 200, 400]);
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(backoff, attempt, () => 1))).toEqual([100, 200, 400, 800]);
  });

  it('never exceeds maxMs, however many attempts', () => {
    expect(backoffDelay(backoff, 4, () => 1)).toBe(1000);
    expect(backoffDelay(backoff, 10_000, () => 1)).toBe(1000);
    expect(backoffDelay(backoff, 10_000, () => 0)).toBe(500);
  });
});

describe('resolveBackoff', () => {
  it('fills in the defaults', () => {
    expect(resolveBackoff(undefined, 'retry')).toEqual({ initialMs: 200, maxMs: 30_000 });
    expect(resolveBackoff({ initialMs: 5 }, 'retry')).toEqual({ initialMs: 5, maxMs: 30_000 });
  });

  it.each([
    [{ initialMs: 0 }, /^retry.initialMs must be an integer/],
    [{ initialMs: 1.5 }, /^retry.initialMs must be an integer/],
    [{ initialMs: 500, maxMs: 100 }, /^retry.maxMs must be at least initialMs/],
    [{ initialMs: 100, maxDelay: 5 }, /^retry.maxDelay is not a known option/],
  ])('refuses %j', (value, message) => {
    expect(() => resolveBackoff(value as never, 'retry')).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_OPTIONS', message: expect.stringMatching(message) }));
  });
});

describe('sleep', () => {
  it('waits, or ends at once when aborted', async () => {
    const started = Date.now();
    await sleep(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);

    const controller = new AbortController();
    const long = sleep(60_000, controller.signal);
    controller.abort();
    await long;
    await sleep(60_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
