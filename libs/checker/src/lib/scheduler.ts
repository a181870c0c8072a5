// Runs every target at its own interval on the monotonic clock. Slot k of a target is due at
// start + offset + k * interval (computed, never accumulated, so it cannot drift); offsets
// spread the targets of one interval evenly over it, so there is no thundering herd at start.
import { compileOptions, createQueue, noopLogger, type CheckResult, type Logger } from '@sitewatch/schema';
import { CheckerError } from './errors.js';
import { duplicateIdProblems, type CompiledTarget } from './target.js';

/** Options of createScheduler(). */
export interface SchedulerOptions {
  /** Targets to check, each every `intervalMs`; ids must be unique. */
  targets: readonly CompiledTarget[];
  /** Runs one check, e.g. `(target, at) => checkTarget(target, { probeId, scheduledAt: at })`. A rejection is logged and counted. */
  check: (target: CompiledTarget, scheduledAt: Date) => Promise<CheckResult>;
  /** Receives each result as its check completes. A throw is logged and counted. */
  onResult: (result: CheckResult) => void;
  /** Called for each slot skipped because the target's previous check has not finished. Default none. */
  onOverrun?: (target: CompiledTarget, scheduledAt: Date) => void;
  /** Checks running at once over all targets (at most 10 000); the others wait in a FIFO queue. Default 100. */
  concurrency?: number;
  /** Where to log start, stop, overruns and failing checks. Default `noopLogger`. */
  logger?: Logger;
}

/** Counters since start, for metrics. */
export interface SchedulerStats {
  /** Checks handed to `check`. */
  checksStarted: number;
  /** Checks finished, with a result or not. */
  checksCompleted: number;
  /** Checks whose `check` rejected, or whose result `onResult` threw on. */
  checksFailed: number;
  /** Slots skipped because the target's previous check was still running or queued. */
  overruns: number;
  /** Slots skipped because the scheduler itself was a whole interval late (a blocked event loop). */
  missedSlots: number;
  /** Checks running now. */
  inFlight: number;
  /** Checks waiting for a free place under `concurrency`. */
  queued: number;
}

/** A running schedule. */
export interface Scheduler {
  /** Starts scheduling; the first slots fall within one interval. Throws `ERR_CHECKER_STOPPED` after stop(). */
  start(): void;
  /** Stops scheduling, drops queued checks and resolves when in-flight ones have finished. Idempotent. */
  stop(): Promise<void>;
  stats(): SchedulerStats;
  [Symbol.asyncDispose](): Promise<void>;
}

interface Slot {
  target: CompiledTarget;
  /** Whether a check of the target is running or queued. */
  busy: boolean;
}

/** The targets of one interval, in offset order: their slots come round in a fixed cycle. */
interface Group {
  intervalMs: number;
  slots: Slot[];
  offsets: number[];
  /** Position in the cycle: index into `slots`, and how many whole cycles went by. */
  index: number;
  cycle: number;
}

const nextDue = (group: Group) => group.offsets[group.index]! + group.cycle * group.intervalMs;

/**
 * JSON Schema of SchedulerOptions (the keyword `typeof` checks the functions): createScheduler()
 * checks its options with it, and a service's config takes `concurrency` from it.
 */
export const schedulerOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['targets', 'check', 'onResult'],
  properties: {
    targets: { type: 'array', items: { type: 'object', required: ['id', 'intervalMs'], properties: { id: { type: 'string' }, intervalMs: { type: 'integer', minimum: 1 } } } },
    check: { typeof: 'function' },
    onResult: { typeof: 'function' },
    onOverrun: { typeof: 'function' },
    concurrency: { type: 'integer', minimum: 1, maximum: 10_000, default: 100, description: 'Checks running at once.' },
    logger: { typeof: 'object' },
  },
} as const;

const validateOptions = compileOptions<Required<Pick<SchedulerOptions, 'concurrency'>>>(schedulerOptionsSchema);

function groupByInterval(targets: readonly CompiledTarget[]): Group[] {
  const byInterval = new Map<number, CompiledTarget[]>();
  for (const target of targets) byInterval.set(target.intervalMs, [...(byInterval.get(target.intervalMs) ?? []), target]);
  return [...byInterval].map(([intervalMs, members]) => ({
    intervalMs,
    slots: members.map((target) => ({ target, busy: false })),
    // Integer offsets, evenly spaced: a target's slots are exact milliseconds.
    offsets: members.map((_, i) => Math.floor((i * intervalMs) / members.length)),
    index: 0,
    cycle: 0,
  }));
}

/** Visits the slots of a group that are due by `now`, in order, and moves its cycle past them. */
function takeDue(group: Group, now: number, visit: (slot: Slot, due: number) => void): void {
  for (let due = nextDue(group); due <= now; due = nextDue(group)) {
    visit(group.slots[group.index]!, due);
    if (++group.index === group.slots.length) {
      group.index = 0;
      group.cycle++;
    }
  }
}

/** Creates a scheduler (not started). Throws `ERR_CHECKER_INVALID_OPTIONS` listing every problem. */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { value, problems } = validateOptions(options);
  if (problems.length === 0) problems.push(...duplicateIdProblems(options.targets, '/targets'));
  if (problems.length > 0) throw new CheckerError('ERR_CHECKER_INVALID_OPTIONS', 'invalid scheduler options', { problems });
  // The targets themselves, not copies: checkTarget() knows the ones compileTarget() made.
  const { check, onResult, onOverrun } = options;
  const { concurrency } = value;
  const log = options.logger ?? noopLogger;
  const groups = groupByInterval(options.targets);
  const counters = { checksStarted: 0, checksCompleted: 0, checksFailed: 0, overruns: 0, missedSlots: 0 };
  const waiting = createQueue<{ slot: Slot; scheduledAt: Date }>();
  const running = new Set<Promise<void>>();
  let startMono = 0;
  let startWall = 0;
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let stopping: Promise<void> | undefined;

  async function execute(slot: Slot, scheduledAt: Date): Promise<void> {
    try {
      onResult(await check(slot.target, scheduledAt));
    } catch (err) {
      counters.checksFailed++;
      log.error({ targetId: slot.target.id, err }, 'check failed without a result');
    }
  }

  function run(slot: Slot, scheduledAt: Date): void {
    counters.checksStarted++;
    const task: Promise<void> = execute(slot, scheduledAt).finally(() => {
      counters.checksCompleted++;
      slot.busy = false;
      running.delete(task);
      startWaiting();
    });
    running.add(task);
  }

  function startWaiting(): void {
    while (!stopping && running.size < concurrency && waiting.length > 0) {
      const next = waiting.shift()!;
      run(next.slot, next.scheduledAt);
    }
  }

  function fire(slot: Slot, due: number): void {
    const scheduledAt = new Date(startWall + due);
    if (slot.busy) {
      counters.overruns++;
      log.warn({ targetId: slot.target.id, scheduledAt: scheduledAt.toISOString() }, 'check overrun: previous check still running');
      onOverrun?.(slot.target, scheduledAt);
      return;
    }
    slot.busy = true;
    if (running.size < concurrency) run(slot, scheduledAt);
    else waiting.push({ slot, scheduledAt });
  }

  function tick(): void {
    timer = undefined;
    const now = performance.now() - startMono;
    for (const group of groups) {
      // When the next slot of a target is due as well, this one was missed (a blocked event loop), not overrun.
      takeDue(group, now, (slot, due) => (due + group.intervalMs <= now ? counters.missedSlots++ : fire(slot, due)));
    }
    arm();
  }

  function arm(): void {
    if (stopping || groups.length === 0) return;
    const due = Math.min(...groups.map(nextDue));
    timer = setTimeout(tick, Math.max(0, due - (performance.now() - startMono)));
  }

  function start(): void {
    if (stopping) throw new CheckerError('ERR_CHECKER_STOPPED', 'scheduler is stopped');
    if (started) return;
    started = true;
    startMono = performance.now();
    startWall = Date.now();
    log.info({ targets: options.targets.length, concurrency }, 'scheduler started');
    tick();
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      clearTimeout(timer);
      const dropped = waiting.drain();
      for (const { slot } of dropped) slot.busy = false;
      log.info({ inFlight: running.size, dropped: dropped.length }, 'scheduler stopping');
      while (running.size > 0) await Promise.allSettled([...running]);
      log.info({ ...counters }, 'scheduler stopped');
    })();
    return stopping;
  }

  const stats = (): SchedulerStats => ({ ...counters, inFlight: running.size, queued: waiting.length });
  return { start, stop, stats, [Symbol.asyncDispose]: stop };
}
