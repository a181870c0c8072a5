import type { EventEmitter } from 'node:events';
import type { Logger } from '@sitewatch/schema';

/** Process exit codes of the sitewatch services. */
export const exitCodes = {
  /** Stopped cleanly after a signal. */
  ok: 0,
  /** A fatal runtime error, or stopping failed. */
  failure: 1,
  /** The config is invalid: nothing was started. */
  config: 2,
  /** A second signal, or the shutdown deadline, cut the shutdown short. */
  forced: 3,
} as const;

/** The part of `process` shutdown handling uses (a stand-in in tests). */
export type ProcessLike = Pick<EventEmitter, 'once' | 'on'> & { exit(code: number): void };

export interface ShutdownOptions {
  /** Stops the service, innermost first (stop scheduling, finish in-flight work, flush, close). */
  stop: (reason: string) => Promise<void>;
  logger: Logger;
  /** A shutdown that takes longer is cut short with exit code 3. Default 25 000 ms. */
  deadlineMs?: number;
  /** Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
  /** Default the real `process`. */
  process?: ProcessLike;
  /**
   * Signals this soon after the first are the same request, not a second one: Ctrl-C reaches
   * every process of the terminal's group, and npm, nx and tsx relay it again. Default 1000 ms.
   */
  repeatWindowMs?: number;
}

export interface Shutdown {
  /** Starts the shutdown (as a signal would); exits with `code` once stopped. Idempotent. */
  begin(reason: string, code?: number): Promise<void>;
}

/** The longest wait for the logger to write what it holds before the exit, ms. */
const flushWaitMs = 2000;

/**
 * Exits once the logger has written the lines it holds (pino's `flush()`, when it has one):
 * pino writes asynchronously, and at an exit right after the last lines they could be lost
 * or written out of order.
 */
function exitAfterFlush(log: Logger, proc: ProcessLike, code: number): Promise<void> {
  const { flush } = log as Logger & { flush?: (done: () => void) => void };
  if (typeof flush !== 'function') {
    proc.exit(code);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const exit = () => {
      clearTimeout(timer);
      proc.exit(code);
      resolve();
    };
    const timer = setTimeout(exit, flushWaitMs);
    flush.call(log, exit);
  });
}

/**
 * Installs the signal handlers: the first signal stops the service gracefully and exits 0;
 * a second signal (a second after the first or later) or the deadline forces exit 3; a
 * failing stop exits 1.
 */
export function handleShutdown(options: ShutdownOptions): Shutdown {
  const proc = options.process ?? process;
  const log = options.logger;
  const deadlineMs = options.deadlineMs ?? 25_000;
  let running: Promise<void> | undefined;
  let firstSignalAt = 0;

  const force = (why: string) => {
    log.error({ why }, 'shutdown forced');
    proc.exit(exitCodes.forced);
  };

  function begin(reason: string, code: number = exitCodes.ok): Promise<void> {
    if (running) return running;
    const started = performance.now();
    log.info({ reason, deadlineMs }, 'shutdown started');
    const deadline = setTimeout(() => force(`deadline of ${deadlineMs} ms passed`), deadlineMs);
    deadline.unref();
    running = options.stop(reason).then(
      () => {
        clearTimeout(deadline);
        log.info({ reason, durationMs: Math.round(performance.now() - started) }, 'shutdown complete');
        return exitAfterFlush(log, proc, code);
      },
      (err: unknown) => {
        clearTimeout(deadline);
        log.error({ err, reason }, 'shutdown failed');
        return exitAfterFlush(log, proc, exitCodes.failure);
      },
    );
    return running;
  }

  const repeatWindowMs = options.repeatWindowMs ?? 1000;
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    proc.on(signal, () => {
      if (!running) {
        firstSignalAt = performance.now();
        void begin(signal);
      } else if (performance.now() - firstSignalAt >= repeatWindowMs) {
        force(`second signal ${signal}`);
      }
    });
  }
  return { begin };
}
