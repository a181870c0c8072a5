// Trying an operation again until it succeeds: the one retry loop of the libraries and the
// services. The call sites differ only in what they pass: which failures are worth another
// attempt, how many, what they log, how they wait and what stops them.
import { backoffDelay, sleep, type Backoff } from './backoff.js';

/** How retry() tries again. */
export interface RetryOptions {
  /** Delays between attempts: backoffDelay(backoff, attempt). */
  backoff: Backoff;
  /** Stops the retrying: checked after a failure and after each wait, then the last failure is thrown (default: none). */
  signal?: AbortSignal;
  /** Whether a failure is worth another attempt (default: its `retriable` is true, as on a retriable SitewatchError). */
  isRetriable?: (error: unknown) => boolean;
  /** Most attempts after the first; the failure after the last is thrown (default: no limit). */
  retries?: number;
  /** Told of each failure retried, before the wait: the failure, the failed attempt (0 for the first) and the delay in ms (default: nothing). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Waits `delayMs` before the next attempt; a rejection ends retry() with it (default: sleep(), cut short by `signal`). */
  wait?: (delayMs: number, signal?: AbortSignal) => Promise<void>;
}

/** A failure whose `retriable` is true (SitewatchError and kafkajs errors carry one). */
export function hasRetriableFlag(error: unknown): boolean {
  return (error as { retriable?: unknown } | null | undefined)?.retriable === true;
}

/**
 * Calls `step` (with the attempt: 0 first, then 1, 2...) until it resolves, and resolves
 * with its value. A retriable failure is told to `onRetry`, waited out with backoff and
 * tried again; a failure that is not retriable, the one after the last of `retries`, and
 * the last one when `signal` aborts are thrown as they are.
 */
export async function retry<T>(step: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { backoff, signal, isRetriable = hasRetriableFlag, retries = Infinity, onRetry, wait = sleep } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await step(attempt);
    } catch (error) {
      if (attempt >= retries || !isRetriable(error) || signal?.aborted) throw error;
      const delayMs = backoffDelay(backoff, attempt);
      onRetry?.(error, attempt, delayMs);
      await wait(delayMs, signal);
      if (signal?.aborted) throw error;
    }
  }
}
