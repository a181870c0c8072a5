import { checkKeys, ensure, optionalObject, positiveInteger } from './options.js';

/** How long to wait between attempts: exponential from `initialMs`, capped at `maxMs`, with jitter. */
export interface BackoffOptions {
  /** First delay, in milliseconds (default 200). */
  initialMs?: number;
  /** Longest delay, in milliseconds (default 30 000). */
  maxMs?: number;
}

/** Defaults of BackoffOptions. */
export const backoffDefaults = { initialMs: 200, maxMs: 30_000 } as const;

/** JSON Schema fragment of BackoffOptions. */
export const backoffSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    initialMs: { type: 'integer', minimum: 1, default: backoffDefaults.initialMs, description: 'First delay between attempts (ms).' },
    maxMs: { type: 'integer', minimum: 1, default: backoffDefaults.maxMs, description: 'Longest delay between attempts (ms).' },
  },
} as const;

/** Validated backoff settings. */
export type Backoff = Required<BackoffOptions>;

/** Checks BackoffOptions at `path` and fills in the defaults. */
export function resolveBackoff(value: BackoffOptions | undefined, path: string): Backoff {
  const options = optionalObject(value, path) ?? {};
  checkKeys(options, path, ['initialMs', 'maxMs']);
  const initialMs = positiveInteger(options.initialMs, `${path}.initialMs`, backoffDefaults.initialMs);
  const maxMs = positiveInteger(options.maxMs, `${path}.maxMs`, backoffDefaults.maxMs);
  ensure(maxMs >= initialMs, `${path}.maxMs`, 'must be at least initialMs');
  return { initialMs, maxMs };
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
