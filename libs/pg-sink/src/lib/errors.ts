import { isSitewatchError, SitewatchError } from '@sitewatch/schema';

/** Codes of the errors this package reports. */
export const sinkErrorCodes = [
  /** Options that cannot work (see `problems`, by JSON Pointer); a bug or a config mistake. */
  'ERR_SINK_INVALID_OPTIONS',
  /** The database could not be reached, or the connection was lost (refused, reset, timed out, server shutting down). */
  'ERR_SINK_CONNECTION',
  /** The TLS handshake failed: an unknown CA, a host name the certificate does not cover, an expired certificate. */
  'ERR_SINK_TLS',
  /** The server refused the credentials (SQLSTATE class 28). */
  'ERR_SINK_AUTH',
  /** The migrations are not (all) applied yet: run `migrate` first. */
  'ERR_SINK_NOT_MIGRATED',
  /** A migration failed, or the migration files do not match what the database recorded. */
  'ERR_SINK_MIGRATION',
  /** A batch holds a result that cannot be stored (e.g. an unparsable timestamp; see `problems`, by JSON Pointer into the batch): validate results first. */
  'ERR_SINK_INVALID_BATCH',
  /** Writing a batch failed in the database; nothing of it was stored. */
  'ERR_SINK_WRITE',
  /** A read (summary) or maintenance statement (partitions, retention) failed. */
  'ERR_SINK_QUERY',
  /** The sink is closed (or closing). */
  'ERR_SINK_CLOSED',
] as const;

/** One of `sinkErrorCodes`. */
export type SinkErrorCode = (typeof sinkErrorCodes)[number];

/**
 * An error of the PostgreSQL sink. `retriable` says whether trying the same operation
 * again later may succeed: a consumer retries those with backoff and dead-letters the rest.
 */
export class SinkError extends SitewatchError<SinkErrorCode, { sqlState?: string }> {
  /** The PostgreSQL SQLSTATE, when the server reported one (e.g. `40P01`). */
  declare readonly sqlState?: string;
}

/** The fields of a postgres.js or socket error this package looks at. */
interface DriverError {
  message?: unknown;
  code?: unknown;
  severity?: unknown;
}

// postgres.js's own codes and socket errnos: the connection is gone or never came up.
const connectionCodes = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
]);
// Socket error codes of a failed TLS handshake (OpenSSL's ERR_SSL_*, Node's certificate checks).
const tlsCodePattern = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_|HOSTNAME_MISMATCH)/;
// SQLSTATEs after which the same statement may well succeed: serialization failure,
// deadlock, lock timeout, statement timeout/cancel, out of resources, I/O error.
const retriableStates = new Set(['40001', '40P01', '55P03', '57014', '58000', '58030']);

type Classification = { code: SinkErrorCode; retriable: boolean };

/** How an SQLSTATE from the server maps to a code and retriability. */
export function classifySqlState(state: string, fallback: SinkErrorCode): Classification {
  const cls = state.slice(0, 2);
  // 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up).
  if (cls === '08' || state === '57P01' || state === '57P02' || state === '57P03') return { code: 'ERR_SINK_CONNECTION', retriable: true };
  if (cls === '28') return { code: 'ERR_SINK_AUTH', retriable: false };
  if (cls === '53' || retriableStates.has(state)) return { code: fallback, retriable: true };
  return { code: fallback, retriable: false };
}

/**
 * True when `error` means the connection is gone (a socket error, postgres.js closing it,
 * or the server ending the session: SQLSTATE class 08, 57P01-57P03).
 */
export function isConnectionLoss(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const driver = error as DriverError;
  if (typeof driver.code !== 'string') return false;
  if (isPostgresError(driver)) return classifySqlState(driver.code, 'ERR_SINK_QUERY').code === 'ERR_SINK_CONNECTION';
  return connectionCodes.has(driver.code);
}

function isPostgresError(error: DriverError): boolean {
  return typeof error.severity === 'string' && typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code);
}

/**
 * Maps an error from postgres.js (a server error with an SQLSTATE, a connection error, a
 * TLS failure) to a SinkError, keeping the original as `cause`. `fallback` is the code
 * of the operation that failed; connection, TLS and authentication failures get their own.
 * Messages carry the server's message or the socket's code, never the connection URL.
 */
export function toSinkError(error: unknown, fallback: SinkErrorCode, what: string): SinkError {
  if (isSitewatchError(error, sinkErrorCodes)) return error;
  // Another library's error (from an `onInserted` hook): its verdict on retrying stands.
  if (isSitewatchError(error)) return new SinkError(fallback, `${what} failed: ${error.message}`, { cause: error, retriable: error.retriable });
  if (typeof error !== 'object' || error === null) return new SinkError(fallback, `${what} failed: ${String(error)}`, { cause: error });
  const driver = error as DriverError;
  const message = typeof driver.message === 'string' ? driver.message : 'unknown error';
  const code = typeof driver.code === 'string' ? driver.code : undefined;
  if (isPostgresError(driver)) {
    const { code: mapped, retriable } = classifySqlState(code!, fallback);
    return new SinkError(mapped, `${what} failed: ${message} (SQLSTATE ${code})`, { cause: error, retriable, sqlState: code });
  }
  if (code !== undefined && tlsCodePattern.test(code)) {
    return new SinkError('ERR_SINK_TLS', `${what} failed: TLS handshake with PostgreSQL failed (certificate or TLS settings): ${message} (${code})`, { cause: error });
  }
  if (code !== undefined && connectionCodes.has(code)) {
    return new SinkError('ERR_SINK_CONNECTION', `${what} failed: PostgreSQL connection error (${code})`, { cause: error, retriable: true });
  }
  return new SinkError(fallback, `${what} failed: ${message}`, { cause: error });
}
