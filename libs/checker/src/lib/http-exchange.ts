// The HTTP exchange of a check, through got: redirects, decompression and TLS options are
// got's. got is configured once per set of target settings with got.extend(), so a check
// merges no options of its own. No agent (`agent: false`): every check gets a new connection
// and a full TLS handshake, as blackbox_exporter does. No retries and no timeouts of got's
// own: the check's single deadline covers the redirects and the regexes too.
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import got, { type BeforeRedirectHook, type BeforeRequestHook, type Got, type Request } from 'got';
import { blockedLiteral, blockingLookup, type NetworkBlock } from './blocked-networks.js';
import { newBodyProgress, readCappedBody, type BodyProgress } from './body.js';
import type { Resolver } from './resolver.js';
import type { CompiledTarget } from './target.js';
import type { PhaseRecorder } from './timings.js';

/** The User-Agent header sent unless the target sets its own. */
export const userAgent = 'sitewatch-checker/0.1';

/** PEM certificates of the CAs to trust instead of Node's bundled roots. */
export type CertificateAuthorities = string | readonly string[];

/** What an exchange depends on beyond the target: whom to trust, how to resolve names, where not to connect. */
export interface ExchangeContext {
  ca: CertificateAuthorities | undefined;
  resolver: Resolver;
  block: NetworkBlock | undefined;
}

/** The lookup of every connection of a check: the resolver's, refusing blocked addresses. */
export function connectionLookup({ resolver, block }: ExchangeContext): LookupFunction {
  return block === undefined ? resolver.lookup : blockingLookup(resolver.lookup, block);
}

/** Refuses a hop to an IP-literal host in a blocked network before its request is made: such a host skips the lookup. */
const refuseBlockedLiteral =
  (block: NetworkBlock): BeforeRequestHook =>
  (options) => {
    const error = blockedLiteral(block, (options.url as URL).hostname);
    if (error) throw error;
  };

/** What an exchange (all its hops) came to. */
export interface Exchange {
  /** Status of the final response, when its headers arrived. */
  statusCode?: number;
  /** Headers of the final response (lower-case names, each with its values), when the target has conditions on them. */
  headers?: Readonly<Record<string, string[] | undefined>>;
  redirects: number;
  body: BodyProgress;
  /** Why the exchange failed (a Node.js or got error with its `code`), if it did. */
  error?: unknown;
  /** URL of the last hop. */
  url: URL;
  /** `performance.now()` at the end of the body or at the failure. */
  endAt: number;
}

/** An exchange under way. */
export interface RunningExchange {
  /** Settles once the body is read or the exchange failed; never rejects. */
  done: Promise<Exchange>;
  /** Ends the exchange (the request of the current hop) with `error`; a no-op once it is done. */
  abort(error: Error): void;
}

// Headers that must not follow a redirect to another origin.
const originBound = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * got drops credentials on a redirect to another host or port, but not to another scheme of
 * the same host and port: `https://site/` → `http://site/` would send them in clear. This
 * hook drops them then too, as browsers do.
 */
export const dropCredentialsAcrossSchemes: BeforeRedirectHook = (next, response) => {
  if (new URL(response.url).protocol === (next.url as URL).protocol) return;
  for (const name of originBound) delete next.headers[name];
};

/**
 * got spreads `cacheOptions` into the options of every request it makes. On Node.js 20 (V8
 * 11.3), spreading a non-empty object into a literal that adds more properties costs about
 * 2 µs a property: 70 µs a request, an eighth of a check. The checker uses no HTTP cache, so
 * each request's cache options are made empty first, which V8 spreads at no cost. Node.js 22
 * and later do not have the slowness; the hook changes nothing there.
 */
const emptyCacheOptions: BeforeRequestHook = (options) => {
  options.cacheOptions = {};
};

function createClient(target: CompiledTarget, context: ExchangeContext): Got {
  const { ca, block } = context;
  return got.extend({
    // c-ares through our resolver, never dns.lookup and its small thread pool (resolver.ts),
    // each address checked against the blocked networks (blocked-networks.ts).
    dnsLookup: connectionLookup(context),
    method: target.method,
    headers: { 'user-agent': userAgent, ...target.headers },
    followRedirect: target.followRedirects,
    maxRedirects: target.maxRedirects,
    https: { rejectUnauthorized: target.tlsVerify, ...(ca === undefined ? {} : { certificateAuthority: ca as string[] }) },
    // Node.js makes a new agent for each request: a new connection, no TLS session to resume.
    agent: { http: false, https: false },
    decompress: true,
    retry: { limit: 0 },
    throwHttpErrors: false,
    // beforeRequest runs before the request of every hop, the first and each redirect's.
    hooks: { beforeRequest: [emptyCacheOptions, ...(block ? [refuseBlockedLiteral(block)] : [])], beforeRedirect: [dropCredentialsAcrossSchemes] },
  });
}

// A got instance holds about 4 KB: targets with the same settings share one, which lives as
// long as one of them does.
const shared = new Map<string, WeakRef<Got>>();
const unshare = new FinalizationRegistry<string>((key) => {
  if (shared.get(key)?.deref() === undefined) shared.delete(key);
});
const clients = new WeakMap<CompiledTarget, ExchangeContext & { client: Got }>();
// Clients of different resolvers are never shared: a number per resolver for the key.
const resolverIds = new WeakMap<Resolver, number>();
let resolversSeen = 0;

/** The got instance that checks `target` in `context`; made on the first check, then reused. */
export function clientFor(target: CompiledTarget, context: ExchangeContext): Got {
  const known = clients.get(target);
  if (known !== undefined && known.ca === context.ca && known.resolver === context.resolver && known.block === context.block) return known.client;
  if (!resolverIds.has(context.resolver)) resolverIds.set(context.resolver, resolversSeen++);
  const settings = [target.method, target.headers, target.followRedirects, target.maxRedirects, target.tlsVerify];
  const key = JSON.stringify([...settings, context.ca ?? null, resolverIds.get(context.resolver), context.block?.key ?? null]);
  let client = shared.get(key)?.deref();
  if (client === undefined) {
    client = createClient(target, context);
    shared.set(key, new WeakRef(client));
    unshare.register(client, key);
  }
  clients.set(target, { ...context, client });
  return client;
}

function codedError(code: string, message: string, cause: unknown): Error {
  return Object.assign(new Error(message, { cause }), { code });
}

/** got's error for a redirect it cannot follow, under the code the failure table knows. */
function redirectError(error: unknown, stream: Request): Error | undefined {
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_INVALID_URL') return codedError('ERR_INVALID_REDIRECT', 'redirect to a location that is not a URL', error);
  if (code !== 'ERR_UNSUPPORTED_PROTOCOL') return undefined;
  return codedError('ERR_INVALID_REDIRECT', `redirect to an unsupported protocol ${stream.redirectUrls.at(-1)?.protocol ?? ''}`, error);
}

async function readExchange(stream: Request, target: CompiledTarget, recorder: PhaseRecorder, stopped: Promise<never>): Promise<Exchange> {
  const done: Exchange = { redirects: 0, body: newBodyProgress(), url: new URL(target.url), endAt: 0 };
  const requests: ClientRequest[] = [];
  // got emits the request of every hop (the first and each redirect) before its socket connects.
  stream.on('request', (request: ClientRequest) => {
    requests.push(request);
    recorder.track(request);
  });
  try {
    const response = await Promise.race([
      new Promise<IncomingMessage>((resolve, reject) => {
        stream.once('response', resolve);
        // Stays attached: an error after the response reaches the body reading too, and must not be unhandled here.
        stream.on('error', reject);
      }),
      stopped,
    ]);
    done.statusCode = response.statusCode;
    // headersDistinct is made from the raw headers when first read: only for a target that asks.
    if (target.responseHeaders !== undefined) done.headers = response.headersDistinct;
    const keep = target.mustMatch !== undefined || target.mustNotMatch !== undefined || target.json !== undefined;
    await Promise.race([readCappedBody(stream, target.maxBodyBytes, keep, done.body), stopped]);
  } catch (error) {
    done.error = redirectError(error, stream) ?? error;
  } finally {
    done.endAt = performance.now();
    // Reading stops at the cap or at an error, and got drains the body of a redirect rather
    // than close its connection: every connection of the check goes now.
    stream.destroy();
    for (const request of requests) request.destroy();
    done.redirects = Math.max(requests.length - 1, 0);
    // got leaves `options` unset when its options did not construct.
    done.url = (stream.options?.url as URL | undefined) ?? done.url;
  }
  return done;
}

/**
 * Requests the target (following redirects as it says, each hop's request tracked by
 * `recorder`) and reads the final body up to `maxBodyBytes`, kept when a regex or a JSON
 * condition will read it.
 */
export function startExchange(target: CompiledTarget, context: ExchangeContext, recorder: PhaseRecorder): RunningExchange {
  const stream = clientFor(target, context).stream(target.url);
  // abort() ends the exchange even when destroying the stream emits nothing (it is already
  // destroyed, its events gone): the check's deadline must hold whatever state got is in.
  let stop: (error: Error) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => (stop = reject));
  stopped.catch(() => undefined);
  const abort = (error: Error) => {
    stream.destroy(error);
    stop(error);
  };
  return { done: readExchange(stream, target, recorder, stopped), abort };
}
