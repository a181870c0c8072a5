// Name lookups for checks through c-ares (`dns.promises.Resolver`), never through dns.lookup:
// getaddrinfo runs on libuv's pool of 4 threads, so beyond ~100 lookups a second checks queue
// for a thread and the wait is reported as DNS time (docs/architecture.md has the measurements).
// c-ares sends its queries from the event loop: a lookup costs a UDP round trip and a timer.
// The hosts file and the special-use names are answered first, as getaddrinfo would.
import { promises as dns, type LookupAddress as NodeLookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { compileOptions, type Problem } from '@sitewatch/schema';
import { CheckerError } from './errors.js';
import { readSystemHosts, specialUseAddresses, type HostsTable, type LookupAddress } from './hosts.js';

/** Which addresses a lookup asks for. */
export type AddressFamily = 'ipv4' | 'ipv6' | 'both';

/** Options of createResolver(); the `checker.dns` section of the config file. */
export interface ResolverOptions {
  /** DNS servers to ask, in order: IP addresses with an optional port (`10.0.0.53`, `127.0.0.1:5353`, `[2001:db8::53]:53`). Default: those of /etc/resolv.conf. */
  servers?: string[];
  /** Time a server has to answer one try, ms (c-ares lengthens later tries). Default 1_000. */
  timeoutMs?: number;
  /** Tries per server before a lookup fails with `ETIMEOUT`. Default 2. */
  tries?: number;
  /** `ipv4` (A records), `ipv6` (AAAA), or `both`: the connection races the two families (happy eyeballs, Node's autoSelectFamily). Default `both`. */
  family?: AddressFamily;
  /** Answers are kept for their TTL but at most this long, ms; 0 keeps none, so every check asks and sees a name that stops resolving at once. Default 0. */
  cacheMaxTtlMs?: number;
}

/** Resolves the host names of checks; made once by createResolver() and passed to every check. */
export interface Resolver {
  /** A `dns.lookup`-compatible function, for `net.connect({ lookup })` and got's `dnsLookup`. */
  readonly lookup: LookupFunction;
  /** The options, defaults filled in. */
  readonly options: Readonly<Required<Omit<ResolverOptions, 'servers'>>> & { readonly servers?: readonly string[] };
  /** Ends the queries under way (their lookups fail with `ECANCELLED`), e.g. at shutdown; the resolver stays usable. */
  cancel(): void;
}

/** JSON Schema of ResolverOptions: createResolver() checks its options with it, and the producer's `checker.dns` is it. */
export const resolverOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'How target host names are resolved (c-ares; the hosts file first)',
  properties: {
    servers: {
      type: 'array',
      minItems: 1,
      maxItems: 16,
      items: { type: 'string', minLength: 1, maxLength: 64 },
      description: 'DNS servers to ask, IP[:port] ([v6]:port); default: those of /etc/resolv.conf',
    },
    timeoutMs: { type: 'integer', minimum: 10, maximum: 60_000, default: 1000, description: 'time a server has to answer one try, ms' },
    tries: { type: 'integer', minimum: 1, maximum: 10, default: 2, description: 'tries per server before the lookup fails (ETIMEOUT)' },
    family: { enum: ['ipv4', 'ipv6', 'both'], default: 'both', description: 'A records, AAAA records, or both with happy eyeballs' },
    cacheMaxTtlMs: {
      type: 'integer',
      minimum: 0,
      maximum: 86_400_000,
      default: 0,
      description: 'answers kept for their TTL but at most this long, ms; 0: none, every check asks',
    },
  },
} as const;

type Settings = Resolver['options'];
const validateOptions = compileOptions<Settings>(resolverOptionsSchema);

/** How long `both` waits for the second family once the first answered (RFC 8305's resolution delay), ms. */
const resolutionDelayMs = 50;

function serverProblem(server: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(server);
  const withPort = /^([^:]+):(\d{1,5})$/.exec(server);
  const [address, port] = bracketed ? [bracketed[1]!, bracketed[2]] : withPort ? [withPort[1]!, withPort[2]] : [server, undefined];
  const family = isIP(address);
  const valid = (bracketed ? family === 6 : family !== 0) && (port === undefined || (Number(port) >= 1 && Number(port) <= 65_535));
  return valid ? undefined : 'must be an IP address with an optional port (10.0.0.53, 127.0.0.1:5353, [2001:db8::53]:53)';
}

/** Every problem of resolver options, by JSON Pointer (`/servers/1`): the schema's, and the syntax of the servers it accepted. */
export function checkResolverOptions(options: ResolverOptions): Problem[] {
  const { value, problems } = validateOptions(options);
  const servers = value.servers !== undefined && !problems.some((problem) => problem.path.startsWith('/servers')) ? value.servers : [];
  return [
    ...problems,
    ...servers.flatMap((server, index) => {
      const message = serverProblem(server);
      return message === undefined ? [] : [{ path: `/servers/${index}`, message }];
    }),
  ];
}

/** A c-ares error the way c-ares words them, for names answered without a query. */
function notFound(name: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: 'ENOTFOUND', hostname: name });
}

interface Answer {
  addresses: LookupAddress[];
  ttlMs: number;
}

type Settled = { answer: Answer; error?: undefined } | { answer?: undefined; error: NodeJS.ErrnoException };

const settle = (answer: Promise<Answer>): Promise<Settled> => answer.then((value) => ({ answer: value }), (error: NodeJS.ErrnoException) => ({ error }));

/** `promise`'s value, or undefined when it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function createQueries(channel: dns.Resolver) {
  async function ask(name: string, family: 4 | 6): Promise<Answer> {
    const records = family === 4 ? await channel.resolve4(name, { ttl: true }) : await channel.resolve6(name, { ttl: true });
    // c-ares says ENODATA for an answer without records; should one still come back empty, it is that.
    if (records.length === 0) throw Object.assign(new Error(`query ENODATA ${name}`), { code: 'ENODATA', hostname: name });
    return { addresses: records.map(({ address }) => ({ address, family })), ttlMs: Math.min(...records.map(({ ttl }) => ttl)) * 1000 };
  }

  /** A and AAAA at once; once one has addresses, the other gets `resolutionDelayMs` more. IPv6 first (RFC 6724). */
  async function askBoth(name: string): Promise<Answer> {
    const v6 = settle(ask(name, 6)).then((settled) => ({ family: 6, ...settled }));
    const v4 = settle(ask(name, 4)).then((settled) => ({ family: 4, ...settled }));
    const first = await Promise.race([v6, v4]);
    const rest = first.family === 6 ? v4 : v6;
    const second = first.answer ? await within(rest, resolutionDelayMs) : await rest;
    const settled = [first, second].filter((one) => one !== undefined).sort((a, b) => b.family - a.family);
    const answers = settled.flatMap((one) => (one.answer ? [one.answer] : []));
    if (answers.length > 0) return { addresses: answers.flatMap((one) => one.addresses), ttlMs: Math.min(...answers.map((one) => one.ttlMs)) };
    // No address: the reason that says most (a name with no AAAA record says ENODATA for it).
    // Both settled (the first had no address, so the other was awaited in full): the A error first.
    const errors = settled.map((one) => one.error!).reverse();
    throw errors.find((error) => error.code !== 'ENODATA') ?? errors[0]!;
  }

  return (name: string, family: AddressFamily) => (family === 'both' ? askBoth(name) : ask(name, family === 'ipv4' ? 4 : 6));
}

function createCache(maxTtlMs: number) {
  const entries = new Map<string, { addresses: LookupAddress[]; expiresAt: number }>();
  let sweepAt = 1024;
  return {
    get(key: string): LookupAddress[] | undefined {
      const entry = entries.get(key);
      if (entry === undefined || entry.expiresAt > performance.now()) return entry?.addresses;
      entries.delete(key);
      return undefined;
    },
    set(key: string, answer: Answer): void {
      const keepMs = Math.min(answer.ttlMs, maxTtlMs);
      if (!(keepMs > 0)) return;
      // Expired entries are dropped when read, and all at once whenever the map has doubled.
      if (entries.size >= sweepAt) {
        for (const [name, entry] of entries) if (entry.expiresAt <= performance.now()) entries.delete(name);
        sweepAt = Math.max(1024, entries.size * 2);
      }
      entries.set(key, { addresses: answer.addresses, expiresAt: performance.now() + keepMs });
    },
  };
}

const byFamily = (wanted: AddressFamily) => (entry: LookupAddress) => wanted === 'both' || entry.family === (wanted === 'ipv4' ? 4 : 6);

/** Addresses known without a query (hosts file, special-use names), undefined when DNS must be asked. */
function staticAddresses(hosts: HostsTable, name: string, family: AddressFamily): LookupAddress[] | undefined {
  const listed = hosts.get(name)?.filter(byFamily(family));
  if (listed !== undefined && listed.length > 0) return listed;
  return specialUseAddresses(name)?.filter(byFamily(family));
}

/**
 * Creates a resolver. Throws `ERR_CHECKER_INVALID_OPTIONS` listing every problem of the
 * options. The hosts file is read now, once.
 */
export function createResolver(options: ResolverOptions = {}): Resolver {
  const problems = checkResolverOptions(options);
  if (problems.length > 0) throw new CheckerError('ERR_CHECKER_INVALID_OPTIONS', 'invalid resolver options', { problems });
  const settings = Object.freeze(validateOptions(options).value);
  const channel = new dns.Resolver({ timeout: settings.timeoutMs, tries: settings.tries });
  if (settings.servers !== undefined) channel.setServers(settings.servers);
  const query = createQueries(channel);
  const cache = createCache(settings.cacheMaxTtlMs);
  const hosts = readSystemHosts();

  async function resolve(name: string, family: AddressFamily): Promise<LookupAddress[]> {
    const known = staticAddresses(hosts, name, family) ?? cache.get(`${family} ${name}`);
    if (known !== undefined) {
      // Never synchronously: net.connect emits 'lookup' from the callback, and the check listens only once the request has its socket.
      await new Promise((resolve) => setImmediate(resolve));
      if (known.length === 0) throw notFound(name);
      return known;
    }
    const answer = await query(name, family);
    cache.set(`${family} ${name}`, answer);
    return answer.addresses;
  }

  const lookup = ((hostname: string, lookupOptions: { family?: number | string; all?: boolean }, callback: (...args: unknown[]) => void) => {
    const asked = lookupOptions.family;
    const family: AddressFamily = asked === 4 || asked === 'IPv4' ? 'ipv4' : asked === 6 || asked === 'IPv6' ? 'ipv6' : settings.family;
    resolve(hostname.toLowerCase().replace(/\.$/, ''), family).then((found) => {
      if (lookupOptions.all) return callback(null, found satisfies NodeLookupAddress[]);
      // One address only (Node without autoSelectFamily): IPv4, the one more hosts can reach.
      const one = found.find((entry) => entry.family === 4) ?? found[0]!;
      callback(null, one.address, one.family);
    }, (error: unknown) => callback(error));
  }) as LookupFunction;

  return { lookup, options: settings, cancel: () => channel.cancel() };
}

let shared: Resolver | undefined;

/** The resolver of checks that were given none: the system's servers, the default options. */
export function defaultResolver(): Resolver {
  shared ??= createResolver();
  return shared;
}
