import { isSitewatchError, SitewatchError } from '@sitewatch/schema';

/** Codes of the errors this package reports. */
export const transportErrorCodes = [
  /** Options that cannot work (see `problems`, by JSON Pointer; an unreadable TLS file too); a bug or a config mistake. */
  'ERR_TRANSPORT_OPTIONS',
  /** The publisher or subscriber is closed (or closing). */
  'ERR_TRANSPORT_CLOSED',
  /** No broker could be reached (refused, timed out, disconnected). */
  'ERR_TRANSPORT_CONNECT',
  /** The TLS handshake failed: a certificate, CA or key problem. */
  'ERR_TRANSPORT_TLS',
  /** SASL authentication failed: wrong user, password or mechanism. */
  'ERR_TRANSPORT_AUTH',
  /** The broker refused an operation for lack of an ACL (topic, group or cluster). */
  'ERR_TRANSPORT_NOT_AUTHORIZED',
  /** The topic does not exist and creating it was not asked for. */
  'ERR_TRANSPORT_TOPIC_MISSING',
  /** Creating a topic was refused for lack of a CREATE grant. */
  'ERR_TRANSPORT_TOPIC_CREATE_DENIED',
  /** Creating a topic failed for another reason (e.g. more replicas than brokers). */
  'ERR_TRANSPORT_TOPIC_CREATE',
  /** A topic exists with a config that cannot work for its use (e.g. a registry topic that is not compacted). */
  'ERR_TRANSPORT_TOPIC_CONFIG',
  /** A message or a request is larger than the broker accepts. */
  'ERR_TRANSPORT_TOO_LARGE',
  /** The subscriber's batch handler threw an error that carries no code of its own. */
  'ERR_TRANSPORT_HANDLER',
  /** An instance name or a spool directory is held by another process that still runs on this host. */
  'ERR_TRANSPORT_IN_USE',
  /** The spool (the publisher's log on disk) cannot be opened or written. */
  'ERR_TRANSPORT_SPOOL',
  /** Any other Kafka error; `kafkaErrorType` names the broker's error when there is one. */
  'ERR_TRANSPORT_KAFKA',
] as const;

/** One of `transportErrorCodes`. */
export type TransportErrorCode = (typeof transportErrorCodes)[number];

/** An error of the Kafka transport; `retriable` says whether trying again later may help. */
export class TransportError extends SitewatchError<TransportErrorCode, { kafkaErrorType?: string }> {
  /** The Kafka protocol error name, e.g. `TOPIC_AUTHORIZATION_FAILED`, when the broker sent one. */
  declare readonly kafkaErrorType?: string;
}

/** The fields of a kafkajs error this package looks at (kafkajs stays out of the types). */
interface KafkaLikeError {
  name?: string;
  message?: string;
  type?: string;
  code?: unknown;
  retriable?: boolean;
  cause?: unknown;
  errors?: unknown[];
}

const connectionErrorNames = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSGroupCoordinatorNotFound',
]);
const tooLargeTypes = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
// Socket error codes of a failed TLS handshake (OpenSSL's ERR_SSL_*, Node's certificate checks).
const tlsCodePattern = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_)/;

/** The innermost error of a kafkajs retry wrapper (KafkaJSNumberOfRetriesExceeded keeps the last attempt's error as cause). */
function innermost(error: KafkaLikeError): KafkaLikeError {
  let current = error;
  for (let depth = 0; depth < 5 && current.cause && typeof current.cause === 'object'; depth++) current = current.cause;
  return current;
}

function classify(error: KafkaLikeError): { code: TransportErrorCode; retriable?: boolean } {
  const type = error.type;
  if (type !== undefined && tooLargeTypes.has(type)) return { code: 'ERR_TRANSPORT_TOO_LARGE', retriable: false };
  if (type?.endsWith('_AUTHORIZATION_FAILED')) return { code: 'ERR_TRANSPORT_NOT_AUTHORIZED', retriable: false };
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION') return { code: 'ERR_TRANSPORT_TOPIC_MISSING' };
  if (error.name === 'KafkaJSSASLAuthenticationError' || type === 'SASL_AUTHENTICATION_FAILED' || type === 'UNSUPPORTED_SASL_MECHANISM') {
    return { code: 'ERR_TRANSPORT_AUTH', retriable: false };
  }
  if (typeof error.code === 'string' && tlsCodePattern.test(error.code)) return { code: 'ERR_TRANSPORT_TLS', retriable: false };
  if (error.name !== undefined && connectionErrorNames.has(error.name)) return { code: 'ERR_TRANSPORT_CONNECT', retriable: true };
  return { code: 'ERR_TRANSPORT_KAFKA' };
}

/**
 * Maps an error thrown by kafkajs to a TransportError, keeping it as `cause`. A kafkajs
 * error after exhausted retries counts as retriable: the operation failed for now, and
 * trying again later is what the caller's own retry loop is for.
 */
export function toTransportError(error: unknown, fallback: TransportErrorCode = 'ERR_TRANSPORT_KAFKA'): TransportError {
  if (isSitewatchError(error, transportErrorCodes)) return error;
  if (typeof error !== 'object' || error === null) return new TransportError(fallback, String(error), { cause: error });
  const outer = error as KafkaLikeError;
  const inner = innermost(outer);
  const aggregated = Array.isArray(inner.errors) && inner.errors.length > 0 ? (inner.errors[0] as KafkaLikeError) : undefined;
  const source = aggregated ?? inner;
  const { code, retriable } = classify(source);
  const exhaustedRetries = outer.name === 'KafkaJSNumberOfRetriesExceeded';
  return new TransportError(code === 'ERR_TRANSPORT_KAFKA' ? fallback : code, source.message ?? outer.message ?? 'Kafka error', {
    cause: error,
    retriable: retriable ?? (exhaustedRetries || source.retriable === true),
    ...(source.type === undefined ? {} : { kafkaErrorType: source.type }),
  });
}
