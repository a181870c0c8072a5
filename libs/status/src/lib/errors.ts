// The errors of the status read model: coded, with `retriable` for database trouble.
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

// SQLSTATE classes worth another try: connection exceptions, insufficient resources, operator
// intervention (server shutting down or starting), serialization failures and deadlocks.
const retriableStates = /^(08|53|57P0[1-3]|40001|40P01)/;

/** Wraps a failed database call: no SQL text or parameters in the message (postgres.js keeps them on the cause). */
export function queryError(error: unknown, what: string): StatusError {
  if (error instanceof StatusError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  const connection = typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|CONNECT_TIMEOUT|CONNECTION_)/.test(code);
  const retriable = connection || (sqlState !== undefined && retriableStates.test(sqlState));
  return new StatusError('ERR_STATUS_QUERY', `${what} failed${sqlState ? ` (SQLSTATE ${sqlState})` : ''}`, { cause: error, retriable, sqlState });
}
