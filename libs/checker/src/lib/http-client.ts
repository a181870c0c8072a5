// The HTTP client of a check: node:http with a new agent per request (so a new connection and
// a full TLS handshake every time, as blackbox_exporter does), redirects followed by hand and
// bodies decompressed with zlib. got did the same in this place at a third of the rate (see
// bench/README.md); what a check needs of a client is this narrow.
import http from 'node:http';
import https from 'node:https';
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { CheckMethod } from './target.js';

/** What one exchange (all its hops) needs. */
export interface FetchOptions {
  method: CheckMethod;
  headers: Readonly<Record<string, string>>;
  followRedirects: boolean;
  maxRedirects: number;
  tlsVerify: boolean;
  ca?: string | readonly string[];
  /** Called with the request of each hop, before it is sent. */
  onRequest(request: http.ClientRequest): void;
}

/** Where the exchange got to; kept up to date, so it is right after a failure too. */
export interface FetchProgress {
  /** URL of the current hop. */
  url: URL;
  /** Redirects followed. */
  redirects: number;
  /** Request of the current hop. */
  request?: http.ClientRequest;
  /** Set by abortFetch(): the error the exchange ends with. */
  aborted?: Error;
}

/** The final response, and its body decompressed. */
export interface FetchedResponse {
  statusCode: number;
  body: Readable;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
// Headers that must not follow a redirect to another origin (as browsers and got do).
const originBound = ['authorization', 'cookie', 'proxy-authorization', 'host'];

function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * Ends the exchange: the current request (and so its response) is destroyed with `error`, and
 * no further hop starts. A plain call rather than an AbortSignal, which costs a tenth of a
 * check's CPU time in listeners (measured).
 */
export function abortFetch(progress: FetchProgress, error: Error): void {
  progress.aborted ??= error;
  progress.request?.destroy(error);
}

function send(url: URL, method: CheckMethod, headers: Record<string, string>, options: FetchOptions, progress: FetchProgress): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (progress.aborted) return reject(progress.aborted);
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method,
      headers,
      agent: false,
      rejectUnauthorized: options.tlsVerify,
      ...(options.ca === undefined ? {} : { ca: options.ca as string | string[] }),
    });
    progress.request = request;
    options.onRequest(request);
    request.once('response', resolve);
    // Stays attached: an error after the response reaches the body stream too, and must not be unhandled here.
    request.on('error', reject);
    request.end();
  });
}

/** The body, through a decompressor when the response is compressed (gzip, deflate, br). */
function decoded(response: http.IncomingMessage, method: CheckMethod): Readable {
  const status = response.statusCode ?? 0;
  if (method === 'HEAD' || status === 204 || status === 304 || status < 200) return response;
  const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
  // Lenient on a truncated stream, as browsers are: what arrived is still decoded.
  const lenient = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate'
      ? zlib.createUnzip(lenient)
      : encoding === 'br'
        ? zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH })
        : undefined;
  return decoder ? pipeline(response, decoder, () => undefined) : response;
}

function nextHop(location: string, from: URL): URL {
  let next: URL;
  try {
    // Node reads header values as latin1; a Location in UTF-8 arrives mangled unless decoded.
    next = new URL(Buffer.from(location, 'latin1').toString('utf8'), from);
  } catch {
    throw codedError('ERR_INVALID_REDIRECT', 'redirect to a location that is not a URL');
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw codedError('ERR_INVALID_REDIRECT', `redirect to an unsupported protocol ${next.protocol}`);
  next.username = next.password = '';
  return next;
}

/**
 * Requests `progress.url`, following redirects as configured, and resolves with the final
 * response once its headers are in. Rejects with the error of the failing hop (a Node.js
 * error with its `code`, or `ERR_TOO_MANY_REDIRECTS` / `ERR_INVALID_REDIRECT`).
 */
export async function fetchResponse(options: FetchOptions, progress: FetchProgress): Promise<FetchedResponse> {
  const method = options.method;
  let headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', ...options.headers };
  for (;;) {
    const response = await send(progress.url, method, headers, options, progress);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (!options.followRedirects || !redirectStatuses.has(status) || location === undefined) {
      return { statusCode: status, body: decoded(response, method) };
    }
    // The body of a redirect is of no interest, and the connection is not reused.
    response.destroy();
    if (progress.redirects >= options.maxRedirects) throw codedError('ERR_TOO_MANY_REDIRECTS', `more than ${options.maxRedirects} redirects`);
    const next = nextHop(location, progress.url);
    if (next.origin !== progress.url.origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !originBound.includes(name.toLowerCase())));
    }
    progress.url = next;
    progress.redirects++;
  }
}
