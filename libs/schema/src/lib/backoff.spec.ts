import { describe, expect, it } from '@jest/globals';
import { backoffDelay, backoffProblems, backoffSchema, sleep } from './backoff.js';
import { compileOptions } from './validation.js';

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

describe('backoff options', () => {
  const validate = compileOptions<{ retry: { initialMs: number; maxMs: number } }>({ type: 'object', properties: { retry: backoffSchema } });

  it('fill in the defaults, also when absent', () => {
    expect(validate({}).value.retry).toEqual({ initialMs: 200, maxMs: 30_000 });
    expect(validate({ retry: { initialMs: 5 } }).value.retry).toEqual({ initialMs: 5, maxMs: 30_000 });
  });

  it.each([
    [{ initialMs: 0 }, [{ path: '/retry/initialMs', message: 'must be >= 1' }]],
    [{ initialMs: 1.5 }, [{ path: '/retry/initialMs', message: 'must be integer' }]],
    [{ initialMs: 100, maxDelay: 5 }, [{ path: '/retry/maxDelay', message: 'is not a known setting' }]],
  ])('refuse %j', (retry, problems) => {
    expect(validate({ retry }).problems).toEqual(problems);
  });

  it('need maxMs at least initialMs', () => {
    expect(backoffProblems({ initialMs: 500, maxMs: 100 }, '/retry')).toEqual([{ path: '/retry/maxMs', message: 'must be at least initialMs (500)' }]);
    expect(backoffProblems({ initialMs: 500, maxMs: 500 }, '/retry')).toEqual([]);
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
