import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/** The major version of the CheckResult message this package writes and reads. */
export const schemaVersion = 1;

/**
 * Why a check is down. Present exactly when `outcome` is `down`. A reason is added only by
 * a minor revision of the message (`blocked`: revision 1.1; `assertion` and `invalid_json`:
 * 1.2), which readers of the previous revisions refuse: upgrade the readers first.
 */
export const failureReasons = [
  'dns',
  'connect',
  'tls',
  'timeout',
  'status',
  'body_mismatch',
  'body_too_large',
  'redirects',
  'blocked',
  'assertion',
  'invalid_json',
  'other',
] as const;

export type FailureReason = (typeof failureReasons)[number];

/** Phase timings in milliseconds; a phase the check never reached (or skipped, like TLS on http) is absent. */
export interface CheckPhases {
  /** DNS lookup. */
  dnsMs?: number;
  /** TCP connect. */
  tcpMs?: number;
  /** TLS handshake (https only). */
  tlsMs?: number;
  /** Request sent to first response byte. */
  ttfbMs?: number;
  /** First response byte to the end of the body (or of what was read). */
  downloadMs?: number;
}

/** A regular expression from the target's config and whether it matched the body. */
export interface RegexResult {
  pattern: string;
  matched: boolean;
}

/** One HTTP(S) check of one target: the CheckResult message, version 1. */
export interface CheckResult {
  /** Schema major version (`schemaVersion`). */
  v: typeof schemaVersion;
  /** UUIDv7 of this check: time-ordered, and the idempotency key downstream. */
  id: string;
  /** Target id from the config. */
  targetId: string;
  /** The URL checked (as configured, before redirects). */
  url: string;
  /** Which checker produced the result (a location or host name). */
  probeId: string;
  /** When the scheduler meant the check to start (ISO 8601, UTC). */
  scheduledAt: string;
  /** When the check started (ISO 8601, UTC). */
  startedAt: string;
  outcome: 'up' | 'down';
  /** Present exactly when `outcome` is `down`. */
  reason?: FailureReason;
  /** HTTP status of the final response, when one arrived. */
  statusCode?: number;
  /** Total time from start to the end of the body, or to the failure, in milliseconds. */
  responseTimeMs: number;
  phases: CheckPhases;
  /** The body regexes configured for the target and whether each matched. */
  regex?: {
    mustMatch?: RegexResult;
    mustNotMatch?: RegexResult;
  };
  /** Expiry (notAfter) of the server's TLS certificate, https only (ISO 8601). */
  tlsNotAfter?: string;
  /** Body bytes read (after decompression), up to the configured cap. */
  bytesRead: number;
  /** Redirects followed. */
  redirects: number;
  /** What went wrong, for a down check: a stable code and a short message. */
  error?: {
    code: string;
    message: string;
  };
}

// Random bytes for check ids, drawn from the system 4 KiB at a time: one draw per id (uuid's
// own source) costs more than the rest of making the id.
const pool = new Uint8Array(4096);
let used = pool.length;

function random16(): Uint8Array {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool.subarray(used, (used += 16));
}

/**
 * A new check id: a UUIDv7, so ids sort by creation time to the millisecond (and index
 * well); within a millisecond their order is random.
 */
export function newCheckId(): string {
  return uuidv7({ rng: random16 });
}
