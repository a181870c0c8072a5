// Why a check failed: the error of a request mapped to the schema's reason enum by a table of
// codes (never by message text), with a short message of our own wording that holds no
// secrets: Node's messages change between releases (Node 24 appends advice on --use-system-ca
// to certificate errors), a stored result must not.
import type { FailureReason } from '@sitewatch/schema';
import type { CheckStage } from './timings.js';

/** The `reason` and `error` of a down CheckResult. */
export interface Failure {
  reason: FailureReason;
  code: string;
  message: string;
}

/** What the check knew when it failed, to word the message. */
export interface FailureContext {
  /** Phase the check was in (`match` once the body was read). */
  stage: CheckStage | 'match';
  /** Host of the URL being requested (the last hop's). */
  host: string;
  /** Whether response headers had arrived. */
  responded: boolean;
  bytesRead: number;
  timeoutMs: number;
  maxRedirects: number;
}

/** What a failed lookup says, by code (c-ares' and getaddrinfo's); `name` is the host without its port. */
const dnsMessages: Record<string, (name: string) => string> = {
  ENOTFOUND: (name) => `no such name: ${name} does not exist (NXDOMAIN)`,
  ENODATA: (name) => `${name} exists but has no address of the family asked for`,
  ESERVFAIL: (name) => `the DNS server failed to resolve ${name} (SERVFAIL)`,
  EREFUSED: (name) => `the DNS server refused to resolve ${name} (REFUSED)`,
  ETIMEOUT: (name) => `no answer from the DNS server for ${name} (timed out)`,
  // c-ares: no server could be reached (an ICMP port unreachable), not the site refusing.
  ECONNREFUSED: (name) => `no DNS server could be reached to resolve ${name} (connection refused)`,
};
const otherDnsCodes = ['EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'EBADRESP', 'EFORMERR', 'ENOTIMP', 'EBADNAME', 'EBADQUERY', 'ECANCELLED'];
const dnsCodes = new Set([...Object.keys(dnsMessages).filter((code) => code !== 'ECONNREFUSED'), ...otherDnsCodes]);
const connectCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_HTTP_CONTENT_LENGTH_MISMATCH',
]);
/** Codes of a certificate that did not verify (OpenSSL's X509 names and Node's host check). */
const certificateCode = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE|ERR_TLS_CERT_)/;
const handshakeCode = /^(EPROTO$|ERR_SSL_|ERR_TLS_|ERR_OSSL_)/;

/** Our words for the codes of a failed connection, a certificate or a response that is not HTTP. */
const codeText: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EHOSTUNREACH: 'host unreachable',
  EHOSTDOWN: 'host down',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network down',
  EADDRNOTAVAIL: 'no local address available',
  EPIPE: 'connection closed while sending',
  ERR_STREAM_PREMATURE_CLOSE: 'connection closed early',
  ERR_HTTP_CONTENT_LENGTH_MISMATCH: 'body length differs from Content-Length',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate not trusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate not trusted',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  CERT_REVOKED: 'certificate revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate is for another host',
  HOSTNAME_MISMATCH: 'certificate is for another host',
  IP_ADDRESS_MISMATCH: 'certificate is for another host',
  HPE_INVALID_CONSTANT: 'not HTTP',
  HPE_INVALID_VERSION: 'invalid HTTP version',
  HPE_INVALID_STATUS: 'invalid status line',
  HPE_INVALID_HEADER_TOKEN: 'invalid header',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'conflicting Content-Length',
  HPE_INVALID_CONTENT_LENGTH: 'invalid Content-Length',
  HPE_INVALID_TRANSFER_ENCODING: 'invalid Transfer-Encoding',
  HPE_INVALID_CHUNK_SIZE: 'invalid chunk size',
  HPE_HEADER_OVERFLOW: 'headers too large',
};

/**
 * Our words for `code`: from the table, else spelt out from the code itself for the families
 * whose codes are self-describing (`ERR_SSL_WRONG_VERSION_NUMBER` -> "wrong version number"),
 * else `fallback`. Never Node's message, which changes between releases.
 */
function codeWords(code: string, fallback: string): string {
  const text = codeText[code];
  if (text !== undefined) return text;
  const words = /^(?:ERR_SSL_|ERR_OSSL_|ERR_TLS_|HPE_)(\w+)$/.exec(code)?.[1];
  return words === undefined ? fallback : words.toLowerCase().replaceAll('_', ' ');
}

const stageText: Record<FailureContext['stage'], string> = {
  dns: 'during the DNS lookup',
  connect: 'while connecting',
  tls: 'during the TLS handshake',
  response: 'waiting for the response headers',
  download: 'while reading the body',
  match: 'while matching the body',
};

/** A message cut short, with URLs reduced to origin and path (no credentials, no query). */
export function cleanMessage(message: string, maxLength = 200): string {
  const text = message.replace(/\bhttps?:\/\/[^\s'"<>]+/g, (found) => {
    try {
      const url = new URL(found);
      return `${url.origin}${url.pathname}`;
    } catch {
      return '(url)';
    }
  });
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
}

/** True for a code of a certificate that did not verify. */
export function isCertificateError(code: string): boolean {
  return certificateCode.test(code);
}

/** The code of an error, or `ERR_UNKNOWN`. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.length > 0 ? code.slice(0, 64) : 'ERR_UNKNOWN';
}

/** The failure of a check that ran out of time. */
export function timeoutFailure(context: FailureContext): Failure {
  return { reason: 'timeout', code: 'ETIMEDOUT', message: `no complete response within ${context.timeoutMs} ms: timed out ${stageText[context.stage]}` };
}

function dnsMessage(code: string, host: string): string {
  const name = host.replace(/:\d+$/, '');
  return dnsMessages[code]?.(name) ?? `DNS lookup of ${name} failed (${code})`;
}

/** Maps an error raised by a request to a reason, a code and a short message. */
export function classifyError(error: unknown, context: FailureContext): Failure {
  const code = errorCode(error);
  // A blocked address (blocked-networks.ts): our message, naming the address and the network.
  if (code === 'EBLOCKED') return { reason: 'blocked', code, message: ownMessage(error) };
  if (dnsCodes.has(code) || (code === 'ECONNREFUSED' && context.stage === 'dns')) return { reason: 'dns', code, message: dnsMessage(code, context.host) };
  // A connection that breaks during the handshake is a TLS failure (e.g. a server refusing the SNI name).
  if (certificateCode.test(code) || handshakeCode.test(code) || (connectCodes.has(code) && context.stage === 'tls')) {
    const words = codeWords(code, certificateCode.test(code) ? 'certificate did not verify' : 'protocol error');
    return { reason: 'tls', code, message: `TLS handshake with ${context.host} failed: ${words}` };
  }
  if (connectCodes.has(code)) {
    // Documented choice: a connection that breaks mid-body is still a connection failure;
    // statusCode and bytesRead in the result show how far it got.
    const message = context.responded
      ? `connection broke after ${context.bytesRead} body bytes`
      : `connection to ${context.host} failed: ${codeWords(code, 'connection failed')}`;
    return { reason: 'connect', code, message };
  }
  if (code.startsWith('HPE_')) return { reason: 'other', code, message: `invalid HTTP response from ${context.host}: ${codeWords(code, 'parse error')}` };
  if (code === 'ERR_TOO_MANY_REDIRECTS') return { reason: 'redirects', code, message: `more than ${context.maxRedirects} redirects` };
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return { ...timeoutFailure(context), code };
  // Ours (http-exchange's redirect errors) or an error no table knows: its message, cleaned.
  const detail = ownMessage(error);
  if (code === 'ERR_INVALID_REDIRECT') return { reason: 'redirects', code, message: detail };
  return { reason: 'other', code, message: detail || 'request failed' };
}

/** The message of `error`, cleaned. Not `instanceof Error`: errors may come from another realm (a vm context, a worker). */
function ownMessage(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return cleanMessage(typeof message === 'string' ? message : String(error));
}
