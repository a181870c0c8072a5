/** Codes of the errors this package reports. A site that is down is never one of them: that is a CheckResult. */
export const checkerErrorCodes = [
  /** A target's settings cannot work (each problem named by JSON pointer); a config mistake. */
  'ERR_CHECKER_INVALID_TARGET',
  /** Scheduler options that cannot work (no check function, a bad concurrency, duplicate ids). */
  'ERR_CHECKER_INVALID_OPTIONS',
  /** The caller's AbortSignal stopped a check before it finished: there is no result to report. */
  'ERR_CHECKER_ABORTED',
  /** The scheduler was used after `stop()`. */
  'ERR_CHECKER_STOPPED',
] as const;

export type CheckerErrorCode = (typeof checkerErrorCodes)[number];

/** One thing wrong with a target, at a JSON pointer relative to it (e.g. `/mustMatch`). */
export interface TargetProblem {
  field: string;
  message: string;
}

/** An error of the checker library. None is retriable: the same input fails the same way. */
export class CheckerError extends Error {
  override name = 'CheckerError';
  readonly retriable = false;

  constructor(
    readonly code: CheckerErrorCode,
    message: string,
    /** What is wrong, field by field (for `ERR_CHECKER_INVALID_TARGET` and `ERR_CHECKER_INVALID_OPTIONS`). */
    readonly problems: readonly TargetProblem[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Builds the invalid-target error listing every problem, one per line. */
export function invalidTarget(problems: readonly TargetProblem[], what = 'target'): CheckerError {
  const lines = problems.map((p) => `  ${p.field || '(target)'}: ${p.message}`);
  return new CheckerError('ERR_CHECKER_INVALID_TARGET', `invalid ${what}: ${problems.length} problem(s)\n${lines.join('\n')}`, problems);
}

/** True for a CheckerError, also one from another copy of this package. */
export function isCheckerError(error: unknown): error is CheckerError {
  return error instanceof Error && typeof (error as CheckerError).code === 'string' && (error as CheckerError).code.startsWith('ERR_CHECKER_');
}
