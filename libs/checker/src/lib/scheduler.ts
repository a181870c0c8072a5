// Runs every target at its own interval. Slots are a property of the target, not of the
// process: slot k of a target is at phase(id) + k × interval on the wall clock (phase from a
// hash of the id), so every process that ever holds the target agrees on its slots, and a
// target taken over from another process is checked at its next slot, never one straight
// away. Targets come and go at run time; a new one runs its first slot strictly after it
// was added. Phases spread the targets of one interval over it: no thundering herd.
import { createHash } from 'node:crypto';
import { compileOptions, createQueue, noopLogger, type CheckResult, type Logger } from '@sitewatch/schema';
import FlatQueue from 'flatqueue';
import { CheckerError } from './errors.js';
import { duplicateIdProblems, type CompiledTarget } from './target.js';

/** Options of createScheduler(). */
export interface SchedulerOptions {
  /** Targets to check from the start, each every `intervalMs`; ids must be unique. Default none (add them at run time). */
  targets?: readonly CompiledTarget[];
  /** Runs one check, e.g. `(target, at) => checkTarget(target, { probeId, scheduledAt: at })`. A rejection is logged and counted. */
  check: (target: CompiledTarget, scheduledAt: Date) => Promise<CheckResult>;
  /** Receives each result as its check completes. A throw is logged and counted. */
  onResult: (result: CheckResult) => void;
  /** Called for each slot skipped because the target's previous check has not finished. Default none. */
  onOverrun?: (target: CompiledTarget, scheduledAt: Date) => void;
  /**
   * Asked synchronously as each slot comes due; false skips the slot (counted in
   * `skippedSlots`). E.g. whether this process still holds its lease on the target. Default: always.
   */
  canRun?: (target: CompiledTarget, scheduledAt: Date) => boolean;
  /**
   * Checks running at once over all targets (at most 10 000); the others wait in a FIFO queue.
   * Checks in flight are about checks per second × seconds a check takes: 1,000 a second that
   * wait 100 ms for DNS alone need more than 100. Default 500.
   */
  concurrency?: number;
  /** Where to log start, stop, overruns and failing checks. Default `noopLogger`. */
  logger?: Logger;
}

/** Counters since start, for metrics. */
export interface SchedulerStats {
  /** Targets scheduled now. */
  targets: number;
  /** Checks a second the targets scheduled now ask for (the sum of 1000 / intervalMs). */
  scheduledPerSecond: number;
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
  /** Slots skipped because `canRun` said no. */
  skippedSlots: number;
  /** Checks running now. */
  inFlight: number;
  /** Checks waiting for a free place under `concurrency`. */
  queued: number;
}

/** A running schedule. */
export interface Scheduler {
  /** Starts scheduling: each target's first slot is the first one after now. Throws `ERR_CHECKER_STOPPED` after stop(). */
  start(): void;
  /** Adds a target; its first slot is the first one after now (or after start()). Throws `ERR_CHECKER_INVALID_OPTIONS` when its id is scheduled already. */
  add(target: CompiledTarget): void;
  /**
   * Replaces the settings of a scheduled target (same id). Its slots stay as they were when
   * the interval is the same; with a new interval, the next slot is the first one after now.
   * A check in flight finishes with the old settings. Throws `ERR_CHECKER_INVALID_OPTIONS` for an unknown id.
   */
  update(target: CompiledTarget): void;
  /** Stops scheduling a target at once, and drops its queued check; a check in flight finishes and is reported. False when the id was not scheduled. */
  remove(id: string): boolean;
  /** Whether a target with this id is scheduled. */
  has(id: string): boolean;
  /** Stops scheduling, drops queued checks and resolves when in-flight ones have finished. Idempotent. */
  stop(): Promise<void>;
  stats(): SchedulerStats;
  [Symbol.asyncDispose](): Promise<void>;
}

/** One scheduled target. `version` changes whenever its next slot is set anew, so older heap entries are stale. */
interface Entry {
  target: CompiledTarget;
  phase: number;
  removed: boolean;
  version: number;
}

interface Due {
  entry: Entry;
  version: number;
}

/**
 * The phase of a target's slots, in [0, intervalMs): its slots are the wall-clock times
 * (ms since the epoch) congruent to it modulo the interval. From a hash of the id, so every
 * process computes the same.
 */
export function slotPhase(id: string, intervalMs: number): number {
  return createHash('sha256').update(id).digest().readUIntBE(0, 6) % intervalMs;
}

/** The first slot strictly after `time` of a target with this phase and interval. */
export function nextSlotAfter(time: number, phase: number, intervalMs: number): number {
  const sincePhase = (((time - phase) % intervalMs) + intervalMs) % intervalMs;
  return time - sincePhase + intervalMs;
}

/**
 * JSON Schema of SchedulerOptions (the keyword `typeof` checks the functions): createScheduler()
 * checks its options with it, and a service's config takes `concurrency` from it.
 */
export const schedulerOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['check', 'onResult'],
  properties: {
    targets: { type: 'array', items: { type: 'object', required: ['id', 'intervalMs'], properties: { id: { type: 'string' }, intervalMs: { type: 'integer', minimum: 1 } } } },
    check: { typeof: 'function' },
    onResult: { typeof: 'function' },
    onOverrun: { typeof: 'function' },
    canRun: { typeof: 'function' },
    concurrency: { type: 'integer', minimum: 1, maximum: 10_000, default: 500, description: 'Checks running at once (checks in flight ≈ checks a second × seconds a check takes).' },
    logger: { typeof: 'object' },
  },
} as const;

const validateOptions = compileOptions<Required<Pick<SchedulerOptions, 'concurrency'>>>(schedulerOptionsSchema);

const invalid = (message: string) => new CheckerError('ERR_CHECKER_INVALID_OPTIONS', message);

/** Creates a scheduler (not started). Throws `ERR_CHECKER_INVALID_OPTIONS` listing every problem. */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { value, problems } = validateOptions(options);
  if (problems.length === 0) problems.push(...duplicateIdProblems(options.targets ?? [], '/targets'));
  if (problems.length > 0) throw new CheckerError('ERR_CHECKER_INVALID_OPTIONS', 'invalid scheduler options', { problems });
  const { check, onResult, onOverrun, canRun } = options;
  const { concurrency } = value;
  const log = options.logger ?? noopLogger;
  const entries = new Map<string, Entry>();
  const dueSlots = new FlatQueue<Due>();
  const counters = { checksStarted: 0, checksCompleted: 0, checksFailed: 0, overruns: 0, missedSlots: 0, skippedSlots: 0 };
  const waiting = createQueue<{ entry: Entry; target: CompiledTarget; scheduledAt: Date }>();
  const running = new Set<Promise<void>>();
  // Ids with a check running or queued: by id, so a target removed and added again (a
  // partition revoked and assigned back) still never has two checks at once.
  const busy = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let armedFor = Infinity;
  let started = false;
  let stopping: Promise<void> | undefined;
  let perSecond = 0;

  /** Sets the entry's next slot: the first one after now. */
  function plan(entry: Entry): void {
    entry.version++;
    dueSlots.push({ entry, version: entry.version }, nextSlotAfter(Date.now(), entry.phase, entry.target.intervalMs));
  }

  async function execute(target: CompiledTarget, scheduledAt: Date): Promise<void> {
    try {
      onResult(await check(target, scheduledAt));
    } catch (err) {
      counters.checksFailed++;
      log.error({ targetId: target.id, err }, 'check failed without a result');
    }
  }

  function run(target: CompiledTarget, scheduledAt: Date): void {
    counters.checksStarted++;
    const task: Promise<void> = execute(target, scheduledAt).finally(() => {
      counters.checksCompleted++;
      busy.delete(target.id);
      running.delete(task);
      startWaiting();
    });
    running.add(task);
  }

  function startWaiting(): void {
    while (!stopping && running.size < concurrency && waiting.length > 0) {
      const next = waiting.shift()!;
      if (next.entry.removed) busy.delete(next.target.id);
      else run(next.target, next.scheduledAt);
    }
  }

  function fire(entry: Entry, due: number): void {
    const { target } = entry;
    const scheduledAt = new Date(due);
    if (canRun && !canRun(target, scheduledAt)) {
      counters.skippedSlots++;
      return;
    }
    if (busy.has(target.id)) {
      counters.overruns++;
      log.warn({ targetId: target.id, scheduledAt: scheduledAt.toISOString() }, 'check overrun: previous check still running');
      onOverrun?.(target, scheduledAt);
      return;
    }
    busy.add(target.id);
    if (running.size < concurrency) run(target, scheduledAt);
    else waiting.push({ entry, target, scheduledAt });
  }

  function tick(): void {
    timer = undefined;
    armedFor = Infinity;
    const now = Date.now();
    while (dueSlots.length > 0 && dueSlots.peekValue()! <= now) {
      let due = dueSlots.peekValue()!;
      const { entry, version } = dueSlots.pop()!;
      if (entry.removed || version !== entry.version) continue;
      const { intervalMs } = entry.target;
      // Slots a whole interval old were missed (a blocked event loop, a paused process): only the latest runs.
      const missed = Math.floor((now - due) / intervalMs);
      counters.missedSlots += missed;
      due += missed * intervalMs;
      fire(entry, due);
      // fire() may call back into remove() or update() (canRun, onOverrun): only a current entry goes on.
      if (!entry.removed && version === entry.version) dueSlots.push({ entry, version }, due + intervalMs);
    }
    arm();
  }

  function arm(): void {
    const next = dueSlots.peekValue();
    if (!started || stopping || next === undefined || next >= armedFor) return;
    clearTimeout(timer);
    armedFor = next;
    timer = setTimeout(tick, Math.max(0, next - Date.now()));
  }

  function add(target: CompiledTarget): void {
    if (stopping) throw new CheckerError('ERR_CHECKER_STOPPED', 'scheduler is stopped');
    if (entries.has(target.id)) throw invalid(`target ${target.id} is scheduled already: update() it`);
    const entry: Entry = { target, phase: slotPhase(target.id, target.intervalMs), removed: false, version: 0 };
    entries.set(target.id, entry);
    perSecond += 1000 / target.intervalMs;
    if (started) plan(entry);
    arm();
  }

  function update(target: CompiledTarget): void {
    if (stopping) throw new CheckerError('ERR_CHECKER_STOPPED', 'scheduler is stopped');
    const entry = entries.get(target.id);
    if (entry === undefined) throw invalid(`target ${target.id} is not scheduled: add() it`);
    const sameSlots = entry.target.intervalMs === target.intervalMs;
    perSecond += 1000 / target.intervalMs - 1000 / entry.target.intervalMs;
    entry.target = target;
    if (sameSlots) return;
    entry.phase = slotPhase(target.id, target.intervalMs);
    if (started) plan(entry);
    arm();
  }

  function remove(id: string): boolean {
    const entry = entries.get(id);
    if (entry === undefined) return false;
    entry.removed = true;
    entries.delete(id);
    perSecond -= 1000 / entry.target.intervalMs;
    return true;
  }

  function start(): void {
    if (stopping) throw new CheckerError('ERR_CHECKER_STOPPED', 'scheduler is stopped');
    if (started) return;
    started = true;
    for (const entry of entries.values()) plan(entry);
    log.info({ targets: entries.size, concurrency }, 'scheduler started');
    arm();
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      clearTimeout(timer);
      const dropped = waiting.drain();
      for (const { target } of dropped) busy.delete(target.id);
      log.info({ inFlight: running.size, dropped: dropped.length }, 'scheduler stopping');
      while (running.size > 0) await Promise.allSettled([...running]);
      log.info({ ...counters }, 'scheduler stopped');
    })();
    return stopping;
  }

  for (const target of options.targets ?? []) add(target);
  // Rounded: a sum kept up by additions and subtractions of fractions drifts in its last digits.
  const scheduledPerSecond = () => (entries.size === 0 ? 0 : Math.round(perSecond * 1e6) / 1e6);
  const stats = (): SchedulerStats => ({ ...counters, targets: entries.size, scheduledPerSecond: scheduledPerSecond(), inFlight: running.size, queued: waiting.length });
  return { start, add, update, remove, has: (id) => entries.has(id), stop, stats, [Symbol.asyncDispose]: stop };
}
