// The errors of the status read model: coded, with `retriable` for database trouble.
import { toSinkError } from '@sitewatch/pg-sink';
import { SitewatchError } from '@sitewatch/schema';

/** Codes of the errors this package reports. */
export const statusErrorCodes = [
  /** Options that cannot work (see `problems`, by JSON Pointer). */
  'ERR_STATUS_INVALID_OPTIONS',
  /** A query that is not one: a range whose end is not after its start, a bad date, too many days (see `problems`). */
  'ERR_STATUS_INVALID_QUERY',
  /** A database call failed; `retriable` when trying again may work (connection lost, server starting). */
  'ERR_STATUS_QUERY',
  /** The reader is closed. */
  'ERR_STATUS_CLOSED',
] as const;

/** One of `statusErrorCodes`. */
export type StatusErrorCode = (typeof statusErrorCodes)[number];

/** An error of the status library (match it with `isSitewatchError(error, statusErrorCodes)`). */
export class StatusError extends SitewatchError<StatusErrorCode, { sqlState?: string }> {
  /** The PostgreSQL SQLSTATE of a failed query, when the server reported one. */
  declare readonly sqlState?: string;
}

/**
 * Wraps a failed database call: no SQL text, parameters or server message in the message
 * (postgres.js keeps them on the cause). Whether it is worth another try, and its SQLSTATE,
 * are judged as pg-sink judges its own database errors.
 */
export function queryError(error: unknown, what: string): StatusError {
  if (error instanceof StatusError) return error;
  const { retriable, sqlState } = toSinkError(error, 'ERR_SINK_QUERY', what);
  return new StatusError('ERR_STATUS_QUERY', `${what} failed${sqlState ? ` (SQLSTATE ${sqlState})` : ''}`, { cause: error, retriable, sqlState });
}
