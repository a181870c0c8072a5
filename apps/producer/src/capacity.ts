// Whether this process can keep up with its schedule. A check costs CPU (an HTTPS check about
// four times a plain HTTP one, bench/README.md); when the checks the schedule asks for each
// second times the CPU each one takes come to about a core, or checks start later and later,
// the process is behind, and lateness metrics alone are easy to miss: it says so in the log,
// with the figures and what to do, at most once per `warnEveryMs`.
import type { Logger } from '@sitewatch/schema';

/** Where the figures come from: the process and the scheduler, or a test's fakes. */
export interface CapacitySources {
  /** Monotonic clock, ms. */
  now(): number;
  /** CPU time this process has used, µs (user + system). */
  cpuMicros(): number;
  /** Checks completed since start. */
  checksCompleted(): number;
  /** Checks per second the schedule asks for (the sum of 1 / interval over the targets). */
  scheduledPerSecond(): number;
}

/** Options of createCapacityWatch(). */
export interface CapacityWatchOptions {
  sources: CapacitySources;
  logger: Logger;
  /** CPU the schedule may need before the process is called behind, in cores. Default 0.9. */
  maxCores?: number;
  /** Median start lateness of a window above which growing lateness means behind, ms. Default 1000. */
  lateMs?: number;
  /** Least time between two warnings, ms. Default 600_000. */
  warnEveryMs?: number;
}

/** What the last window measured. */
export interface CapacityReading {
  /** Checks per second the schedule asks for. */
  scheduledPerSecond: number;
  /** CPU per completed check over the window, µs (0 before any check completed). */
  cpuMicrosPerCheck: number;
  /** `scheduledPerSecond × cpuMicrosPerCheck`: the cores the schedule needs. */
  neededCores: number;
  /** Start lateness of the checks started in the window, ms. */
  latenessP50Ms: number;
  latenessP99Ms: number;
  /** Whether the process is behind: too much CPU needed, or lateness above `lateMs` and growing. */
  behind: boolean;
}

/** Watches capacity: `observeLateness()` for each check start, `sample()` once per window. */
export interface CapacityWatch {
  /** Records how late (ms) a check started against its slot. */
  observeLateness(ms: number): void;
  /** Ends a window: measures it, warns when behind (rate-limited), and returns the reading. */
  sample(): CapacityReading;
  /** The reading of the last window. */
  reading(): CapacityReading;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Creates a watch; the first window starts now. */
export function createCapacityWatch(options: CapacityWatchOptions): CapacityWatch {
  const { sources, logger } = options;
  const maxCores = options.maxCores ?? 0.9;
  const lateMs = options.lateMs ?? 1000;
  const warnEveryMs = options.warnEveryMs ?? 600_000;
  let lateness: number[] = [];
  let last = { cpu: sources.cpuMicros(), checks: sources.checksCompleted() };
  let lastWarnAt: number | undefined;
  let current: CapacityReading = { scheduledPerSecond: sources.scheduledPerSecond(), cpuMicrosPerCheck: 0, neededCores: 0, latenessP50Ms: 0, latenessP99Ms: 0, behind: false };

  function measure(): CapacityReading {
    const now = { cpu: sources.cpuMicros(), checks: sources.checksCompleted() };
    const checks = now.checks - last.checks;
    // A window without a completed check keeps the last CPU figure: there is nothing to divide.
    const cpuMicrosPerCheck = checks > 0 ? (now.cpu - last.cpu) / checks : current.cpuMicrosPerCheck;
    last = now;
    const sorted = lateness.sort((a, b) => a - b);
    lateness = [];
    const scheduledPerSecond = sources.scheduledPerSecond();
    const neededCores = (scheduledPerSecond * cpuMicrosPerCheck) / 1e6;
    const latenessP50Ms = quantile(sorted, 0.5);
    const growing = latenessP50Ms >= lateMs && latenessP50Ms > current.latenessP50Ms;
    return { scheduledPerSecond, cpuMicrosPerCheck, neededCores, latenessP50Ms, latenessP99Ms: quantile(sorted, 0.99), behind: neededCores > maxCores || growing };
  }

  function warn(reading: CapacityReading): void {
    const round = (value: number) => Math.round(value * 100) / 100;
    logger.warn(
      {
        checksPerSecond: round(reading.scheduledPerSecond),
        cpuMicrosPerCheck: Math.round(reading.cpuMicrosPerCheck),
        neededCores: round(reading.neededCores),
        latenessP50Ms: Math.round(reading.latenessP50Ms),
        latenessP99Ms: Math.round(reading.latenessP99Ms),
        advice:
          reading.neededCores > maxCores
            ? 'split the targets over more checker processes (about one core each), or lengthen their intervals'
            : 'the CPU is not the limit: checks wait for a place under checker.concurrency; raise it (checks in flight ≈ checks per second × seconds a check takes)',
      },
      'checker cannot keep up with its schedule',
    );
  }

  return {
    observeLateness(ms) {
      lateness.push(ms);
    },
    sample() {
      current = measure();
      const at = sources.now();
      if (current.behind && (lastWarnAt === undefined || at - lastWarnAt >= warnEveryMs)) {
        lastWarnAt = at;
        warn(current);
      }
      return current;
    },
    reading: () => current,
  };
}

/**
 * Watches this process (its CPU time on the monotonic clock) running `scheduler`'s checks —
 * the targets it schedules now, which in a fleet change with the registry partitions it
 * holds — with a sample every `windowMs`; `stop()` ends the sampling.
 */
export function watchProcessCapacity(
  scheduler: () => { checksCompleted: number; scheduledPerSecond: number },
  logger: Logger,
  windowMs = 30_000,
): CapacityWatch & { stop(): void } {
  const cpuMicros = () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  };
  const sources = { now: () => performance.now(), cpuMicros, checksCompleted: () => scheduler().checksCompleted, scheduledPerSecond: () => scheduler().scheduledPerSecond };
  const watch = createCapacityWatch({ sources, logger });
  const timer = setInterval(() => watch.sample(), windowMs).unref();
  return { ...watch, stop: () => clearInterval(timer) };
}
