import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { isSitewatchError, type CheckResult, type Logger } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { checkerErrorCodes } from './errors.js';
import { createScheduler, nextSlotAfter, slotPhase, type Scheduler, type SchedulerOptions } from './scheduler.js';
import { compileTarget, type CompiledTarget } from './target.js';

interface Call {
  targetId: string;
  /** Wall-clock ms (the fake clock) when check() was called. */
  at: number;
  scheduledAt: number;
  target: CompiledTarget;
}

const epoch = Date.UTC(2030, 0, 1);
const target = (id: string, intervalMs: number, settings: object = {}) => compileTarget({ id, url: `http://${id}.test/`, intervalMs, timeoutMs: 1000, ...settings });
const targets = (count: number, intervalMs: number, prefix = 't') => Array.from({ length: count }, (_, i) => target(`${prefix}${i}`, intervalMs));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A scheduler whose checks take `durationMs` (on the fake clock), recording calls and concurrency. */
function harness({ durationMs = 10, ...options }: Partial<SchedulerOptions> & { durationMs?: number | ((targetId: string) => number) }) {
  const calls: Call[] = [];
  const results: CheckResult[] = [];
  const running = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  let maxPerTarget = 0;
  const check = async (checked: CompiledTarget, scheduledAt: Date) => {
    calls.push({ targetId: checked.id, at: Date.now(), scheduledAt: scheduledAt.getTime(), target: checked });
    running.set(checked.id, (running.get(checked.id) ?? 0) + 1);
    maxPerTarget = Math.max(maxPerTarget, running.get(checked.id)!);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await sleep(typeof durationMs === 'number' ? durationMs : durationMs(checked.id));
    inFlight--;
    running.set(checked.id, running.get(checked.id)! - 1);
    return makeCheckResult({ targetId: checked.id, scheduledAt: scheduledAt.toISOString() });
  };
  const scheduler = createScheduler({ check, onResult: (result) => void results.push(result), ...options });
  const of = (id: string) => calls.filter((call) => call.targetId === id);
  return { scheduler, calls, results, of, max: () => ({ inFlight: maxInFlight, perTarget: maxPerTarget }) };
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

/** Stops a scheduler, moving the fake clock on until its checks in flight have finished. */
async function stopAll(...schedulers: Scheduler[]): Promise<void> {
  const stopping = Promise.all(schedulers.map((scheduler) => scheduler.stop()));
  await jest.advanceTimersByTimeAsync(60_000);
  await stopping;
}

/** Moves the fake clock to the next slot of `id` (so that slot is due now). */
async function toSlotOf(id: string, intervalMs: number): Promise<number> {
  const slot = nextSlotAfter(Date.now(), slotPhase(id, intervalMs), intervalMs);
  await jest.advanceTimersByTimeAsync(slot - Date.now());
  return slot;
}

beforeEach(() => {
  jest.useFakeTimers({ now: epoch });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('slots', () => {
  it('are at phase(id) + k × interval on the wall clock, to the millisecond, after 1000 intervals', async () => {
    const { scheduler, of } = harness({ targets: targets(3, 1_000), durationMs: 137 });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(1_000 * 1_000);
    for (const id of ['t0', 't1', 't2']) {
      const mine = of(id);
      expect(mine).toHaveLength(1_000);
      const phase = slotPhase(id, 1_000);
      expect(mine.every((call, k) => call.scheduledAt === epoch + phase + k * 1_000 + (phase === 0 ? 1_000 : 0) && call.at === call.scheduledAt)).toBe(true);
    }
    expect(scheduler.stats()).toMatchObject({ targets: 3, checksStarted: 3_000, overruns: 0, missedSlots: 0, skippedSlots: 0 });
    await stopAll(scheduler);
  });

  it('spread the targets of one interval over it', async () => {
    const { scheduler, calls } = harness({ targets: targets(1_000, 10_000) });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(10_000);
    const perSecond = Array.from({ length: 10 }, (_, s) => calls.filter((call) => call.at > epoch + s * 1_000 && call.at <= epoch + (s + 1) * 1_000).length);
    expect(calls).toHaveLength(1_000);
    expect(Math.max(...perSecond)).toBeLessThan(150);
    expect(Math.min(...perSecond)).toBeGreaterThan(50);
    await stopAll(scheduler);
  });

  it('are the same in every scheduler: a target handed over is checked at its next slot, never one the other ran', async () => {
    const [site] = targets(1, 1_000);
    const first = harness({ targets: [site!] });
    const second = harness({});
    first.scheduler.start();
    second.scheduler.start();
    await jest.advanceTimersByTimeAsync(5_300);
    first.scheduler.remove(site!.id);
    await jest.advanceTimersByTimeAsync(700);
    second.scheduler.add(site!);
    await jest.advanceTimersByTimeAsync(5_000);
    const before = first.calls.map((call) => call.scheduledAt);
    const after = second.calls.map((call) => call.scheduledAt);
    expect(before).toHaveLength(5);
    expect(after[0]).toBe(nextSlotAfter(epoch + 6_000, slotPhase(site!.id, 1_000), 1_000));
    expect((after[0]! - before.at(-1)!) % 1_000).toBe(0);
    expect(after.filter((slot) => before.includes(slot))).toEqual([]);
    await stopAll(first.scheduler, second.scheduler);
  });
});

describe('targets at run time', () => {
  it('runs an added target at its first slot strictly after it was added, never straight away', async () => {
    const { scheduler, of } = harness({});
    scheduler.start();
    const slot = await toSlotOf('late', 2_000);
    scheduler.add(target('late', 2_000));
    await jest.advanceTimersByTimeAsync(1_999);
    expect(of('late')).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(of('late').map((call) => call.scheduledAt)).toEqual([slot + 2_000]);
    expect(scheduler.has('late')).toBe(true);
    await stopAll(scheduler);
  });

  it('an update keeps the slots when the interval is the same, and the next check uses the new settings', async () => {
    const { scheduler, of } = harness({ targets: [target('site', 1_000)] });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(3_000);
    scheduler.update(target('site', 1_000, { mustMatch: 'welcome' }));
    await jest.advanceTimersByTimeAsync(3_000);
    const calls = of('site');
    expect(calls).toHaveLength(6);
    expect(calls.map((call) => call.scheduledAt - calls[0]!.scheduledAt)).toEqual([0, 1_000, 2_000, 3_000, 4_000, 5_000]);
    expect(calls.map((call) => call.target.mustMatch)).toEqual([undefined, undefined, undefined, 'welcome', 'welcome', 'welcome']);
    await stopAll(scheduler);
  });

  it('an update to a new interval moves the target to its new slots, the first after now', async () => {
    const { scheduler, of } = harness({ targets: [target('site', 1_000)] });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(2_500);
    const updatedAt = Date.now();
    scheduler.update(target('site', 5_000));
    await jest.advanceTimersByTimeAsync(10_000);
    const later = of('site').filter((call) => call.at > updatedAt);
    expect(later.map((call) => call.scheduledAt)).toEqual([0, 5_000].map((k) => nextSlotAfter(updatedAt, slotPhase('site', 5_000), 5_000) + k));
    expect(scheduler.stats()).toMatchObject({ targets: 1, scheduledPerSecond: 0.2 });
    await stopAll(scheduler);
  });

  it('a removal stops the target at once: the check in flight finishes and is reported, the queued one is dropped', async () => {
    const { scheduler, calls, of, results } = harness({ targets: [target('a', 1_000), target('b', 1_000)], durationMs: 5_000, concurrency: 1 });
    scheduler.start();
    // Within one interval both slots come due: the first check runs (5 s), the other waits.
    await jest.advanceTimersByTimeAsync(1_000);
    expect(scheduler.stats()).toMatchObject({ inFlight: 1, queued: 1 });
    const runs = calls[0]!.targetId;
    const waits = runs === 'a' ? 'b' : 'a';
    expect([scheduler.remove(runs), scheduler.remove(waits), scheduler.remove('never')]).toEqual([true, true, false]);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(of(runs)).toHaveLength(1);
    expect(of(waits)).toEqual([]);
    expect(results.map((result) => result.targetId)).toEqual([runs]);
    expect(scheduler.stats()).toMatchObject({ targets: 0, scheduledPerSecond: 0, inFlight: 0, checksStarted: 1 });
    await stopAll(scheduler);
  });

  it('never runs two checks of a target at once, also when it is removed and added again while one runs', async () => {
    const { scheduler, of, max } = harness({ targets: [target('site', 1_000)], durationMs: 2_500 });
    scheduler.start();
    await toSlotOf('site', 1_000);
    scheduler.remove('site');
    scheduler.add(target('site', 1_000));
    await jest.advanceTimersByTimeAsync(4_000);
    expect(max().perTarget).toBe(1);
    expect(of('site').map((call) => call.scheduledAt - of('site')[0]!.scheduledAt)).toEqual([0, 3_000]);
    // Slots +1000, +2000 (the first check runs to +2500) and +4000 (the second runs to +5500).
    expect(scheduler.stats().overruns).toBe(3);
    await stopAll(scheduler);
  });

  it('refuses to add an id twice or to update an unknown one', () => {
    const scheduler = createScheduler({ targets: [target('site', 1_000)], check: async () => makeCheckResult(), onResult: () => undefined });
    expect(() => scheduler.add(target('site', 1_000))).toThrow(expect.objectContaining({ code: 'ERR_CHECKER_INVALID_OPTIONS', message: expect.stringMatching(/scheduled already/) }));
    expect(() => scheduler.update(target('other', 1_000))).toThrow(expect.objectContaining({ code: 'ERR_CHECKER_INVALID_OPTIONS', message: expect.stringMatching(/not scheduled/) }));
  });
});

describe('createScheduler', () => {
  it('asks canRun as each slot comes due, and skips the slot when it says no', async () => {
    let allowed = true;
    const asked: [string, number][] = [];
    const canRun = (checked: CompiledTarget, scheduledAt: Date) => (asked.push([checked.id, scheduledAt.getTime()]), allowed);
    const { scheduler, of } = harness({ targets: [target('site', 1_000)], canRun });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(3_000);
    allowed = false;
    await jest.advanceTimersByTimeAsync(3_000);
    expect(of('site')).toHaveLength(3);
    expect(asked).toHaveLength(6);
    expect(asked.slice(0, 3).map(([, at]) => at)).toEqual(of('site').map((call) => call.scheduledAt));
    expect(scheduler.stats()).toMatchObject({ checksStarted: 3, skippedSlots: 3 });
    await stopAll(scheduler);
  });

  it('never runs two checks of a target at once: a slot whose check is still running is an overrun', async () => {
    const { logger, lines } = recordingLogger();
    const onOverrun = jest.fn<NonNullable<SchedulerOptions['onOverrun']>>();
    const { scheduler, calls, max } = harness({ targets: targets(1, 1_000), durationMs: 2_500, logger, onOverrun });
    scheduler.start();
    await toSlotOf('t0', 1_000);
    await jest.advanceTimersByTimeAsync(5_999);
    // Slots at 0..5000: checks start at 0 and 3000; 1000, 2000, 4000 and 5000 overrun.
    const first = calls[0]!.scheduledAt;
    expect(calls.map((call) => call.at - first)).toEqual([0, 3_000]);
    expect(max().perTarget).toBe(1);
    expect(scheduler.stats()).toMatchObject({ overruns: 4, checksStarted: 2, checksCompleted: 2, inFlight: 0 });
    expect(onOverrun.mock.calls.map(([overrun, at]) => [overrun.id, at.getTime() - first])).toEqual([
      ['t0', 1_000],
      ['t0', 2_000],
      ['t0', 4_000],
      ['t0', 5_000],
    ]);
    const warnings = lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatchObject({ fields: { targetId: 't0' }, message: 'check overrun: previous check still running' });
    await stopAll(scheduler);
  });

  it('keeps at most `concurrency` checks in flight, queueing the rest in slot order', async () => {
    const { scheduler, calls, results, max } = harness({ targets: targets(20, 2_000), durationMs: 150, concurrency: 2 });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(100 * 2_000);
    expect(max().inFlight).toBe(2);
    const started = calls.map((call) => call.scheduledAt);
    expect(started).toEqual([...started].sort((a, b) => a - b));
    expect(calls.every((call) => call.at >= call.scheduledAt)).toBe(true);
    expect(results).toHaveLength(calls.length - scheduler.stats().inFlight);
    expect(scheduler.stats()).toMatchObject({ overruns: 0, checksStarted: 2_000 });
    await stopAll(scheduler);
  });

  it('reports the queue while checks wait', async () => {
    const { scheduler } = harness({ targets: targets(10, 1_000), durationMs: 5_000, concurrency: 1 });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(scheduler.stats()).toMatchObject({ inFlight: 1, queued: 9, checksStarted: 1 });
    const stopping = scheduler.stop();
    await jest.advanceTimersByTimeAsync(5_000);
    await stopping;
    expect(scheduler.stats()).toMatchObject({ inFlight: 0, queued: 0, checksStarted: 1, checksCompleted: 1 });
  });

  it('counts slots missed while the process could not run (a blocked event loop), and runs only the latest', async () => {
    const { scheduler, of } = harness({ targets: [target('site', 1_000)] });
    scheduler.start();
    const slot = await toSlotOf('site', 1_000);
    // The next timer fires 5.5 intervals late, as after a long block of the event loop.
    jest.setSystemTime(slot + 5_500);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(of('site').map((call) => call.scheduledAt - slot)).toEqual([0, 6_000]);
    expect(scheduler.stats().missedSlots).toBe(5);
    await stopAll(scheduler);
  });

  it('stop() waits for the checks in flight, starts no more, and is idempotent', async () => {
    const { logger, lines } = recordingLogger();
    const { scheduler, calls, results } = harness({ targets: [target('site', 10_000)], durationMs: 700, logger });
    scheduler.start();
    await toSlotOf('site', 10_000);
    await jest.advanceTimersByTimeAsync(100);
    expect(scheduler.stats().inFlight).toBe(1);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    expect(scheduler.stop()).toBe(scheduler.stop());
    await jest.advanceTimersByTimeAsync(599);
    expect(stopped).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await stopping;
    expect(results).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
    expect(lines.map((line) => line.message)).toEqual(['scheduler started', 'scheduler stopping', 'scheduler stopped']);
    expect(() => scheduler.start()).toThrow(expect.objectContaining({ code: 'ERR_CHECKER_STOPPED' }));
    expect(() => scheduler.add(target('new', 1_000))).toThrow(expect.objectContaining({ code: 'ERR_CHECKER_STOPPED' }));
  });

  it('survives a check that rejects or a result callback that throws', async () => {
    const { logger, lines } = recordingLogger();
    let n = 0;
    const scheduler = createScheduler({
      targets: targets(1, 1_000),
      check: async (checked) => {
        if (n++ % 2 === 0) throw new Error('bug in check');
        return makeCheckResult({ targetId: checked.id });
      },
      onResult: () => {
        throw new Error('bug in sink');
      },
      logger,
    });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(4_000);
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
