import { SitewatchError } from '@sitewatch/schema';

/** Codes of the errors this package reports. A site that is down is never one of them: that is a CheckResult. */
export const checkerErrorCodes = [
  /** A target's settings cannot work (see `problems`, by JSON Pointer); a config mistake. */
  'ERR_CHECKER_INVALID_TARGET',
  /** Scheduler options that cannot work (see `problems`: no check function, a bad concurrency, duplicate ids). */
  'ERR_CHECKER_INVALID_OPTIONS',
  /** The caller's AbortSignal stopped a check before it finished: there is no result to report. */
  'ERR_CHECKER_ABORTED',
  /** The scheduler was used after `stop()`. */
  'ERR_CHECKER_STOPPED',
] as const;

/** One of `checkerErrorCodes`. */
export type CheckerErrorCode = (typeof checkerErrorCodes)[number];

/** An error of the checker library. None is retriable: the same input fails the same way. */
export class CheckerError extends SitewatchError<CheckerErrorCode> {}
