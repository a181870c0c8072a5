/** Codes of the errors this package reports. */
export const serviceErrorCodes = ['ERR_SERVICE_CONFIG', 'ERR_SERVICE_CLOSED'] as const;

export type ServiceErrorCode = (typeof serviceErrorCodes)[number];

/** One thing wrong with a config file, at a path like `checker.targets[3].url`. */
export interface ConfigProblem {
  path: string;
  message: string;
}

export class ServiceError extends Error {
  override name = 'ServiceError';
  readonly retriable = false;

  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A config file that cannot be used: every problem found, each with its path. */
export class ConfigError extends ServiceError {
  override name = 'ConfigError';

  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super('ERR_SERVICE_CONFIG', `${file}: ${problems.length} problem(s)\n${problems.map((p) => `  ${p.path || '(file)'}: ${p.message}`).join('\n')}`);
  }
}

/** True for a ServiceError, also one from another copy of this package. */
export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as ServiceError).code === 'string' && (error as ServiceError).code.startsWith('ERR_SERVICE_');
}

/** True for a ConfigError (matched on code, not class identity). */
export function isConfigError(error: unknown): error is ConfigError {
  return isServiceError(error) && error.code === 'ERR_SERVICE_CONFIG' && Array.isArray((error as ConfigError).problems);
}
