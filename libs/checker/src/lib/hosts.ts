// The static names a resolver answers without asking a DNS server: the hosts file (read once,
// as getaddrinfo's "files" source would), and the special-use names of RFC 6761.
import fs from 'node:fs';
import { isIP } from 'node:net';

/** One address of a name, as `dns.lookup` gives it with `all: true`. */
export interface LookupAddress {
  address: string;
  family: 4 | 6;
}

/** Addresses by lower-case name, in the order the file lists them. */
export type HostsTable = ReadonlyMap<string, readonly LookupAddress[]>;

/** Parses hosts-file text (`address name [alias...]`, `#` comments); lines that hold no IP address are skipped. */
export function parseHosts(text: string): HostsTable {
  const table = new Map<string, LookupAddress[]>();
  for (const line of text.split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    const family = isIP(address ?? '');
    if (family === 0) continue;
    for (const name of names) {
      const key = name.toLowerCase();
      const known = table.get(key) ?? [];
      if (!known.some((entry) => entry.address === address)) known.push({ address: address!, family: family as 4 | 6 });
      table.set(key, known);
    }
  }
  return table;
}

/** The system's hosts file; an empty table when it cannot be read (a container without one). */
export function readSystemHosts(file = '/etc/hosts'): HostsTable {
  try {
    return parseHosts(fs.readFileSync(file, 'utf8'));
  } catch {
    return new Map();
  }
}

const loopback: readonly LookupAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

/**
 * The addresses of a special-use name (RFC 6761): `localhost` and names under it are the
 * loopback addresses, unless the hosts file says otherwise; a name under `invalid` has none
 * (an empty list: no such name, and no query sent). Undefined for any other name.
 */
export function specialUseAddresses(name: string): readonly LookupAddress[] | undefined {
  if (name === 'localhost' || name.endsWith('.localhost')) return loopback;
  if (name === 'invalid' || name.endsWith('.invalid')) return [];
  return undefined;
}
