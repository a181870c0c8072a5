// Why a check failed: the error of a request mapped to the schema's reason enum by a table of
// codes (never by message text), with a short message that holds no secrets.
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
  // Not `instanceof Error`: errors may come from another realm (a vm context, a worker).
  const message = (error as { message?: unknown } | undefined)?.message;
  const detail = cleanMessage(typeof message === 'string' ? message : String(error));
  if (dnsCodes.has(code) || (code === 'ECONNREFUSED' && context.stage === 'dns')) return { reason: 'dns', code, message: dnsMessage(code, context.host) };
  // A connection that breaks during the handshake is a TLS failure (e.g. a server refusing the SNI name).
  if (certificateCode.test(code) || handshakeCode.test(code) || (connectCodes.has(code) && context.stage === 'tls')) {
    return { reason: 'tls', code, message: `TLS handshake with ${context.host} failed: ${detail}` };
  }
  if (connectCodes.has(code)) {
    // Documented choice: a connection that breaks mid-body is still a connection failure;
    // statusCode and bytesRead in the result show how far it got.
    const message = context.responded ? `connection broke after ${context.bytesRead} body bytes` : `connection to ${context.host} failed: ${detail}`;
    return { reason: 'connect', code, message };
  }
  if (code === 'ERR_TOO_MANY_REDIRECTS') return { reason: 'redirects', code, message: `more than ${context.maxRedirects} redirects` };
  if (code === 'ERR_INVALID_REDIRECT') return { reason: 'redirects', code, message: detail };
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return { ...timeoutFailure(context), code };
  return { reason: 'other', code, message: detail || 'request failed' };
}
