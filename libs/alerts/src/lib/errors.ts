import { SitewatchError } from '@sitewatch/schema';

/** Codes of the errors this package reports. */
export const alertsErrorCodes = [
  /** Options that cannot work (see `problems`, by JSON Pointer); a bug or a config mistake. */
  'ERR_ALERTS_INVALID_OPTIONS',
  /** Evaluating a batch's results lost a race with another writer of the same target: write the batch again. */
  'ERR_ALERTS_CONFLICT',
  /**
   * A channel could not deliver a notification: unreachable, timed out or answering 408, 429 or
   * 5xx (retriable: tried again with backoff, or at `retryAfterMs`), or refusing it with another
   * 4xx (not retriable: the delivery fails for good).
   */
  'ERR_ALERTS_DELIVERY',
  /** The notifier is closed (or closing). */
  'ERR_ALERTS_CLOSED',
] as const;

/** One of `alertsErrorCodes`. */
export type AlertsErrorCode = (typeof alertsErrorCodes)[number];

/** An error of the alerts library (a `SitewatchError`: match it with `isSitewatchError(error, alertsErrorCodes)`). */
export class AlertsError extends SitewatchError<AlertsErrorCode, { retryAfterMs?: number }> {
  /** ERR_ALERTS_DELIVERY: how long the service asked to wait before the next attempt (Retry-After), ms. */
  declare readonly retryAfterMs?: number;
}
