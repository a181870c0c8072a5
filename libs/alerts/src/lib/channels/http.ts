// One HTTP request of a channel, and what its answer means for the notifier: fetch with a
// deadline, no redirects followed (a signed request must reach the receiver it was meant
// for); a 2xx answer is delivered; a network error, a time-out, a redirect, 408, 429 and 5xx
// are tried again (at the time the service asked for, when it said); any other 4xx is
// refused for good. Errors carry the service's own error text, cut and scrubbed of the channel's
// secrets, and never the URL (its path or query may be the credential).
import { AlertsError } from '../errors.js';
import { cut, oneLine, scrub } from './text.js';

/** What a service answered: the status, the headers and the body (its first 64 KiB), parsed when JSON. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
}

/** One request of a channel. */
export interface ChannelRequest {
  url: string;
  /** Default POST. */
  method?: 'POST' | 'PUT';
  /** JSON, unless `headers` say otherwise. */
  body: string;
  headers?: Record<string, string>;
  signal: AbortSignal;
  /** The channel in errors: `pagerduty ops`. */
  what: string;
  /** Never shown in an error or an answer (a token in the URL, a key the service might echo). */
  secrets: readonly string[];
  /** The service's error text in an answer (default: its `message`, `error`, `description` or `errors`, else the body's first line). */
  errorText?(answer: HttpAnswer): string | undefined;
  /** When the service asks for the next attempt, ms, where it says so besides Retry-After (Discord's `retry_after`). */
  retryAfterMs?(answer: HttpAnswer): number | undefined;
}

const maxAnswerBytes = 64 * 1024;
/** Longest service error text kept in an error (and in `deliveries.last_error`). */
export const maxErrorText = 300;

/** The body's first bytes as text: enough for any error or receipt, however much a service sends. */
async function readBody(response: Response): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size >= maxAnswerBytes) break;
  }
  return Buffer.concat(chunks).subarray(0, maxAnswerBytes).toString('utf8');
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Retry-After as delta-seconds or an HTTP date, ms from now (RFC 9110 §10.2.3). */
export function retryAfterHeader(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);

/** The error text most services put in a JSON answer: `message`, `error` (or its `code` and `message`), `description`, `errors`. */
export function commonErrorText(answer: HttpAnswer): string | undefined {
  const body = answer.json;
  if (body === null || typeof body !== 'object') return text(answer.text.split('\n')[0]);
  const { message, error, description, errors } = body as Record<string, unknown>;
  const nested = error !== null && typeof error === 'object' ? [text((error as Record<string, unknown>).code), text((error as Record<string, unknown>).message)].filter(Boolean).join(': ') : undefined;
  const details = errors === undefined ? undefined : JSON.stringify(errors);
  return [text(message) ?? text(error) ?? text(nested) ?? text(description), details].filter(Boolean).join(' ') || undefined;
}

// A redirect (never followed) is tried again as before: it may be a passing detour.
const isRefused = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

/** Sends the request; resolves with a 2xx answer, rejects with ERR_ALERTS_DELIVERY (retriable or not, see above). */
export async function request(spec: ChannelRequest): Promise<HttpAnswer> {
  const { what, secrets, signal } = spec;
  let response: Response;
  try {
    response = await fetch(spec.url, { method: spec.method ?? 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'sitewatch-alerts', ...spec.headers }, body: spec.body, redirect: 'manual', signal });
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const reason = signal.aborted ? 'timed out' : `could not reach it (${typeof cause?.code === 'string' ? cause.code : 'network error'})`;
    throw new AlertsError('ERR_ALERTS_DELIVERY', `${what}: ${reason}`, { retriable: true });
  }
  const body = await readBody(response).catch(() => '');
  const answer: HttpAnswer = { status: response.status, headers: response.headers, text: body, json: parse(body) };
  if (response.status >= 200 && response.status <= 299) return answer;
  const said = (spec.errorText ?? commonErrorText)(answer);
  const message = `${what}: answered HTTP ${response.status}${said ? `: ${cut(oneLine(scrub(said, secrets)), maxErrorText)}` : ''}`;
  if (isRefused(response.status)) throw new AlertsError('ERR_ALERTS_DELIVERY', message, { retriable: false });
  const retryAfterMs = spec.retryAfterMs?.(answer) ?? retryAfterHeader(response.headers);
  throw new AlertsError('ERR_ALERTS_DELIVERY', message, { retriable: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
}

/** An answer as a receipt says it: `HTTP 202 {"status":"success",...}`, on one line, cut and scrubbed. */
export function describeAnswer(answer: HttpAnswer, secrets: readonly string[]): string {
  return cut(oneLine(scrub(`HTTP ${answer.status} ${answer.text}`, secrets)), maxErrorText);
}

/** A delivery receipt of one answer. */
export function receiptOf(answer: HttpAnswer, secrets: readonly string[]): { answer: string; sent: true } {
  return { answer: describeAnswer(answer, secrets), sent: true };
}
