import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { isSitewatchError, type CheckResult, type Logger } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { checkerErrorCodes } from './errors.js';
import { createScheduler, type SchedulerOptions } from './scheduler.js';
import { compileTarget, type CompiledTarget } from './target.js';

interface Call {
  targetId: string;
  /** Monotonic ms since the scheduler started. */
  at: number;
  scheduledAt: Date;
}

const targets = (count: number, intervalMs: number, prefix = 't') =>
  Array.from({ length: count }, (_, i) => compileTarget({ id: `${prefix}${i}`, url: `http://${prefix}${i}.test/`, intervalMs, timeoutMs: 1000 }));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A scheduler whose checks take `durationMs` (on the fake clock), recording calls and concurrency. */
function harness({ durationMs = 10, ...options }: Partial<SchedulerOptions> & { targets: CompiledTarget[]; durationMs?: number | ((targetId: string) => number) }) {
  const calls: Call[] = [];
  const results: CheckResult[] = [];
  const running = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  let maxPerTarget = 0;
  const origin = performance.now();
  const check = async (target: CompiledTarget, scheduledAt: Date) => {
    calls.push({ targetId: target.id, at: performance.now() - origin, scheduledAt });
    running.set(target.id, (running.get(target.id) ?? 0) + 1);
    maxPerTarget = Math.max(maxPerTarget, running.get(target.id)!);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await sleep(typeof durationMs === 'number' ? durationMs : durationMs(target.id));
    inFlight--;
    running.set(target.id, running.get(target.id)! - 1);
    return makeCheckResult({ targetId: target.id, scheduledAt: scheduledAt.toISOString() });
  };
  const scheduler = createScheduler({ check, onResult: (result) => void results.push(result), ...options });
  return { scheduler, calls, results, origin, max: () => ({ inFlight: maxInFlight, perTarget: maxPerTarget }) };
}

function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at =
    (level: string) =>
    (fields: Record<string, unknown> | string, message?: string) =>
      void lines.push(typeof fields === 'string' ? { level, fields: {}, message: fields } : { level, fields, message: message ?? '' });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return { logger, lines };
}

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('createScheduler', () => {
  it('spreads the targets of one interval evenly over it, from the start', async () => {
    const { scheduler, calls } = harness({ targets: [...targets(10, 10_000), ...targets(4, 60_000, 'slow')] });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(9_999);
    const fast = calls.filter((call) => call.targetId.startsWith('t'));
    expect(fast.map((call) => call.at)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
    await jest.advanceTimersByTimeAsync(50_000);
    const slow = calls.filter((call) => call.targetId.startsWith('slow'));
    expect(slow.map((call) => call.at)).toEqual([0, 15_000, 30_000, 45_000]);
    await scheduler.stop();
  });

  it('does not drift: slot k starts at exactly start + offset + k × interval, after 1000 intervals', async () => {
    const { scheduler, calls } = harness({ targets: targets(3, 1_000), durationMs: 137 });
    const wallStart = Date.now();
    scheduler.start();
    await jest.advanceTimersByTimeAsync(1_000 * 1_000 - 1);
    for (const [index, offset] of [0, 333, 666].entries()) {
      const mine = calls.filter((call) => call.targetId === `t${index}`);
      expect(mine).toHaveLength(1_000);
      expect(mine.every((call, k) => call.at === offset + k * 1_000)).toBe(true);
      expect(mine.every((call, k) => call.scheduledAt.getTime() === wallStart + offset + k * 1_000)).toBe(true);
    }
    expect(scheduler.stats()).toMatchObject({ checksStarted: 3_000, overruns: 0, missedSlots: 0 });
    await scheduler.stop();
  });

  it('never runs two checks of a target at once: a slot whose check is still running is an overrun', async () => {
    const { logger, lines } = recordingLogger();
    const onOverrun = jest.fn<NonNullable<SchedulerOptions['onOverrun']>>();
    const { scheduler, calls, max } = harness({ targets: targets(1, 1_000), durationMs: 2_500, logger, onOverrun });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(5_999);
    // Slots at 0..5000: checks start at 0 and 3000; 1000, 2000, 4000 and 5000 overrun.
    expect(calls.map((call) => call.at)).toEqual([0, 3_000]);
    expect(max().perTarget).toBe(1);
    expect(scheduler.stats()).toMatchObject({ overruns: 4, checksStarted: 2, checksCompleted: 2, inFlight: 0 });
    expect(onOverrun.mock.calls.map(([target, at]) => [target.id, at.getTime() - calls[0]!.scheduledAt.getTime()])).toEqual([
      ['t0', 1_000],
      ['t0', 2_000],
      ['t0', 4_000],
      ['t0', 5_000],
    ]);
    const warnings = lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatchObject({ fields: { targetId: 't0' }, message: 'check overrun: previous check still running' });
    await scheduler.stop();
  });

  it('keeps at most `concurrency` checks in flight, queueing the rest in order', async () => {
    const durations: Record<string, number> = { t0: 1_200, t1: 900, t2: 100, t3: 100 };
    const { scheduler, calls, results, max } = harness({ targets: targets(4, 2_000), durationMs: (id) => durations[id]!, concurrency: 2 });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(1_100);
    // t0 runs 0-1200 and t1 500-1400, so t2 (due at 1000) waits for t0.
    expect(scheduler.stats()).toMatchObject({ inFlight: 2, queued: 1 });
    await jest.advanceTimersByTimeAsync(500);
    expect(calls.map((call) => [call.targetId, call.at, call.scheduledAt.getTime() - calls[0]!.scheduledAt.getTime()])).toEqual([
      ['t0', 0, 0],
      ['t1', 500, 500],
      ['t2', 1_200, 1_000],
      ['t3', 1_500, 1_500],
    ]);
    await jest.advanceTimersByTimeAsync(100 * 2_000);
    expect(max().inFlight).toBe(2);
    expect(results).toHaveLength(calls.length - scheduler.stats().inFlight);
    expect(scheduler.stats()).toMatchObject({ overruns: 0, checksStarted: 404 });
    await scheduler.stop();
  });

  it('reports the queue while checks wait', async () => {
    const { scheduler } = harness({ targets: targets(10, 1_000), durationMs: 5_000, concurrency: 1 });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(950);
    expect(scheduler.stats()).toMatchObject({ inFlight: 1, queued: 9, checksStarted: 1 });
    const stopping = scheduler.stop();
    await jest.advanceTimersByTimeAsync(5_000);
    await stopping;
    expect(scheduler.stats()).toMatchObject({ inFlight: 0, queued: 0, checksStarted: 1, checksCompleted: 1 });
  });

  it('keeps a long queue in order', async () => {
    // One slot a millisecond, one check at a time, 3 ms a check: the queue grows into the thousands.
    const { scheduler, calls } = harness({ targets: targets(3_000, 3_000), durationMs: 3, concurrency: 1 });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(2_999);
    expect(scheduler.stats().queued).toBeGreaterThan(1_900);
    await jest.advanceTimersByTimeAsync(6_000);
    expect(calls.slice(0, 3_000).map((call) => call.targetId)).toEqual(Array.from({ length: 3_000 }, (_, i) => `t${i}`));
    expect(calls[2_999]!.at).toBe(2_999 * 3);
    const stopping = scheduler.stop();
    await jest.advanceTimersByTimeAsync(3);
    await stopping;
  });

  it('stop() waits for the checks in flight, starts no more, and is idempotent', async () => {
    const { logger, lines } = recordingLogger();
    const { scheduler, calls, results } = harness({ targets: targets(2, 1_000), durationMs: 700, logger });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(600);
    expect(scheduler.stats().inFlight).toBe(2);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    expect(scheduler.stop()).toBe(scheduler.stop());
    await jest.advanceTimersByTimeAsync(599);
    expect(stopped).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await stopping;
    expect(results).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(2);
    expect(lines.map((line) => line.message)).toEqual(['scheduler started', 'scheduler stopping', 'scheduler stopped']);
    expect(() => scheduler.start()).toThrow(expect.objectContaining({ code: 'ERR_CHECKER_STOPPED' }));
  });

  it('survives a check that rejects or a result callback that throws', async () => {
    const { logger, lines } = recordingLogger();
    let n = 0;
    const scheduler = createScheduler({
      targets: targets(1, 1_000),
      check: async (target) => {
        if (n++ % 2 === 0) throw new Error('bug in check');
        return makeCheckResult({ targetId: target.id });
      },
      onResult: () => {
        throw new Error('bug in sink');
      },
      logger,
    });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(3_500);
    expect(scheduler.stats()).toMatchObject({ checksStarted: 4, checksCompleted: 4, checksFailed: 4 });
    expect(lines.filter((line) => line.level === 'error')).toHaveLength(4);
    await scheduler[Symbol.asyncDispose]();
  });

  it('refuses options that cannot work, naming each problem', () => {
    const [a] = targets(1, 1_000);
    try {
      createScheduler({ targets: [a!], check: async () => makeCheckResult(), onResult: 'log' as never, concurrency: 0 });
      throw new Error('expected a throw');
    } catch (error) {
      expect(isSitewatchError(error, checkerErrorCodes) && error.code).toBe('ERR_CHECKER_INVALID_OPTIONS');
      expect((error as { problems: unknown }).problems).toEqual([
        { path: '/onResult', message: 'must be a function' },
        { path: '/concurrency', message: 'must be >= 1' },
      ]);
    }
    expect(() => createScheduler({ targets: [a!, a!], check: async () => makeCheckResult(), onResult: () => undefined })).toThrow(
      expect.objectContaining({ problems: [{ path: '/targets/1/id', message: 'duplicates the id of target 0' }] }),
    );
  });
});
