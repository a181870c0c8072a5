// Networks a check must not connect to (`checker.blockNetworks`): a fleet whose registry many
// people can write must not become their probe of the checker's own surroundings (loopback,
// the private networks, the cloud's metadata service). The address is checked where the
// connection gets it: inside the lookup the connection uses (every hop's, redirects too, and
// nothing resolves again between the check and the connect), and for an IP-literal host,
// which skips the lookup, before the request is made. Matching is Node's net.BlockList: IPv4
// and IPv6 subnets, an IPv4-mapped IPv6 address (::ffff:10.0.0.5) matching its IPv4 network.
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { compileOptions, type Problem } from '@sitewatch/schema';
import { CheckerError } from './errors.js';

/**
 * What `private` stands for: the cloud metadata addresses (169.254.169.254 for AWS, GCP, Azure
 * and others; fd00:ec2::254, AWS over IPv6; 100.100.100.200, Alibaba), loopback, RFC 1918,
 * link-local, IPv6 unique local addresses, and the unspecified addresses with IPv4's "this
 * network" (Linux connects 0.0.0.0 to the local host). Their IPv4-mapped forms match too.
 */
export const privateNetworks = [
  '169.254.169.254/32',
  'fd00:ec2::254/128',
  '100.100.100.200/32',
  '127.0.0.0/8',
  '::1/128',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  'fe80::/10',
  'fc00::/7',
  '0.0.0.0/8',
  '::/128',
] as const;

/** JSON Schema of `blockNetworks` (CheckOptions, and the producer's `checker.blockNetworks`); checkBlockNetworks() checks the syntax of each entry. */
export const blockNetworksSchema = {
  type: 'array',
  maxItems: 1024,
  items: { type: 'string', minLength: 1, maxLength: 64 },
  description:
    'networks no check connects to, by the address of every hop (after DNS, redirects too): CIDRs (10.0.0.0/8, fc00::/7), addresses, and private (loopback, RFC 1918, link-local, ULA, cloud metadata); such a check is down with reason blocked. Default none (an intranet monitor needs its private addresses); a fleet whose registry many can write: [private]',
} as const;

const validateList = compileOptions<readonly string[]>(blockNetworksSchema);

/** The networks a check refuses, compiled once per list. */
export interface NetworkBlock {
  /** The list it was compiled from, as one string: equal lists, equal keys. */
  readonly key: string;
  /** The blocked network `address` is in (`10.0.0.0/8`), or undefined when it is not blocked. */
  match(address: string): string | undefined;
}

interface Network {
  address: string;
  prefix: number;
  type: 'ipv4' | 'ipv6';
}

/** One entry of the list as networks (`private` is several), or what is wrong with it. */
function parseEntry(entry: string): Network[] | string {
  if (entry === 'private') return privateNetworks.map((network) => parseEntry(network) as Network[]).flat();
  const [address = '', prefixText, ...rest] = entry.split('/');
  const family = isIP(address);
  const bits = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (family === 0 || address.includes('%') || rest.length > 0 || !(prefix <= bits)) return 'must be private, an IP address, or a network in CIDR notation (10.0.0.0/8, fc00::/7)';
  return [{ address, prefix, type: family === 4 ? 'ipv4' : 'ipv6' }];
}

/** Every problem of a `blockNetworks` list, by JSON Pointer into it (`/1`). */
export function checkBlockNetworks(list: readonly string[]): Problem[] {
  const { problems } = validateList(list);
  if (problems.length > 0) return problems;
  return list.flatMap((entry, index) => {
    const parsed = parseEntry(entry);
    return typeof parsed === 'string' ? [{ path: `/${index}`, message: parsed }] : [];
  });
}

function blockListOf(networks: readonly Network[]): BlockList {
  const list = new BlockList();
  for (const { address, prefix, type } of networks) list.addSubnet(address, prefix, type);
  return list;
}

/**
 * Compiles a list (its problems at `/blockNetworks/<index>`, in ERR_CHECKER_INVALID_OPTIONS).
 * Every address is matched against all the networks at once; the one it is in is looked for
 * only when it is blocked, to name it.
 */
export function compileBlockNetworks(list: readonly string[]): NetworkBlock {
  const problems = checkBlockNetworks(list);
  if (problems.length > 0) {
    throw new CheckerError('ERR_CHECKER_INVALID_OPTIONS', 'invalid check options', { problems: problems.map((problem) => ({ ...problem, path: `/blockNetworks${problem.path}` })) });
  }
  const networks = list.flatMap((entry) => parseEntry(entry) as Network[]);
  const all = blockListOf(networks);
  return {
    key: list.join(' '),
    match(address) {
      // Not an address: nothing can connect to it (and BlockList would throw, inside a lookup's callback).
      const family = isIP(address);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (family === 0 || !all.check(address, type)) return undefined;
      const network = networks.find((one) => blockListOf([one]).check(address, type))!;
      return `${network.address}/${network.prefix}`;
    },
  };
}

// Compiled lists by content: a caller that builds the same list for every check compiles it
// once. As many entries as distinct lists, which are configuration: a handful.
const compiled = new Map<string, NetworkBlock>();

/** compileBlockNetworks(list), once per distinct list. */
export function networkBlock(list: readonly string[]): NetworkBlock {
  // Not an array (from JavaScript): compileBlockNetworks() says so.
  let block = Array.isArray(list) ? compiled.get(list.join(' ')) : undefined;
  if (block === undefined) {
    block = compileBlockNetworks(list);
    compiled.set(block.key, block);
  }
  return block;
}

/** The error of a blocked address: code `EBLOCKED`, naming the address, the host it is of, and the network. */
export function blockedError(address: string, host: string, network: string): NodeJS.ErrnoException {
  const of = host === address ? '' : ` of ${host}`;
  return Object.assign(new Error(`address ${address}${of} is in a blocked network (${network})`), { code: 'EBLOCKED', address, hostname: host });
}

/** The error for an IP-literal `host` (`10.0.0.5`, `[::1]`) in a blocked network; undefined for a name, or an allowed address. */
export function blockedLiteral(block: NetworkBlock, host: string): NodeJS.ErrnoException | undefined {
  const address = host.replace(/^\[|\]$/g, '');
  const network = isIP(address) === 0 ? undefined : block.match(address);
  return network === undefined ? undefined : blockedError(address, address, network);
}

/**
 * `lookup` refusing every name with an address in a blocked network: the connection then
 * fails with `EBLOCKED` and connects nowhere. A name with one blocked address among others is
 * refused whole, rather than connected to the rest: its check would say up or down depending
 * on which address the connection took.
 */
export function blockingLookup(lookup: LookupFunction, block: NetworkBlock): LookupFunction {
  return ((hostname: string, options: object, callback: (...args: unknown[]) => void) => {
    lookup(hostname, options, (error, address, family) => {
      if (error) return callback(error);
      const found = Array.isArray(address) ? address : [{ address, family }];
      for (const entry of found) {
        const network = block.match(entry.address);
        if (network !== undefined) return callback(blockedError(entry.address, hostname, network));
      }
      callback(null, address, family);
    });
  }) as LookupFunction;
}
