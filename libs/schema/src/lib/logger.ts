/** A log function: fields first, then a constant message (pino's call shape). */
export interface LogFn {
  (fields: Record<string, unknown>, message: string): void;
  (message: string): void;
}

/**
 * The logger the libraries accept. pino's logger fits it; libraries never log to the
 * console, and default to `noopLogger`.
 */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const ignore = () => undefined;

/** Drops everything. */
export const noopLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore, child: () => noopLogger };
