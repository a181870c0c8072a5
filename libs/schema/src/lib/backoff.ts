// How long to wait before trying again: one helper for every retry loop of the libraries
// and the services, and the options that tune it.
import type { Problem } from './errors.js';

/** How long to wait between attempts: exponential from `initialMs`, capped at `maxMs`, with jitter. */
export interface BackoffOptions {
  /** First delay, in milliseconds (default 200). */
  initialMs?: number;
  /** Longest delay, in milliseconds (default 30 000; at least `initialMs`). */
  maxMs?: number;
}

/** Backoff settings with every field set. */
export type Backoff = Required<BackoffOptions>;

/** Defaults of BackoffOptions. */
export const backoffDefaults = { initialMs: 200, maxMs: 30_000 } as const;

/** JSON Schema fragment of BackoffOptions (absent: all defaults). Check backoffProblems() too. */
export const backoffSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    initialMs: { type: 'integer', minimum: 1, default: backoffDefaults.initialMs, description: 'First delay between attempts (ms).' },
    maxMs: { type: 'integer', minimum: 1, default: backoffDefaults.maxMs, description: 'Longest delay between attempts (ms); at least initialMs.' },
  },
} as const;

/** What the schema cannot say about backoff settings at `path` (a JSON Pointer). */
export function backoffProblems(backoff: Backoff, path: string): Problem[] {
  return backoff.maxMs < backoff.initialMs ? [{ path: `${path}/maxMs`, message: `must be at least initialMs (${backoff.initialMs})` }] : [];
}

/**
 * Delay before retry number `attempt` (0 for the first retry): half of the exponential
 * step fixed, half random, so a fleet of clients that failed together does not retry together.
 */
export function backoffDelay(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const step = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
