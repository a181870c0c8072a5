// A real DNS server on loopback (UDP, dns-packet) for tests and benchmarks: each name has a
// rule — addresses to answer, a failure code, a delay, or silence — so a checker pointed at
// it (the resolver's `servers` setting) meets every DNS outcome without touching the system.
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';

/** How the server answers the queries for one name. */
export interface DnsRule {
  /** IPv4 addresses answered to A queries. Default none (NOERROR with no data). */
  a?: string[];
  /** IPv6 addresses answered to AAAA queries. Default none. */
  aaaa?: string[];
  /** TTL of the answers, seconds. Default 60. */
  ttl?: number;
  /** Answer with this code instead of addresses. */
  rcode?: 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';
  /** Answer this late, ms. Default 0. */
  delayMs?: number;
  /** Never answer (`true`), or never answer queries of one type. */
  silent?: boolean | 'A' | 'AAAA';
}

/** A running server. */
export interface DnsServer {
  /** `127.0.0.1:<port>`, for a resolver's `servers`. */
  readonly address: string;
  readonly port: number;
  /** Sets the rule of a name (lower case, no trailing dot; `*.example.test` for every name under it). */
  set(name: string, rule: DnsRule): void;
  /** Queries received for `name` (any type), or for all names. */
  queries(name?: string): number;
  /** The most delayed answers that were waiting at one time: lookups sent one after another never make it above one. */
  maxPending(): number;
  close(): Promise<void>;
}

/** Rules by name; names that match no rule get NXDOMAIN. */
export type DnsZone = Record<string, DnsRule>;

const rcodes = { NXDOMAIN: 3, SERVFAIL: 2, REFUSED: 5 } as const;

function ruleFor(zone: Map<string, DnsRule>, name: string): DnsRule | undefined {
  const exact = zone.get(name);
  if (exact !== undefined) return exact;
  for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
    const wildcard = zone.get(`*${name.slice(dot)}`);
    if (wildcard !== undefined) return wildcard;
  }
  return undefined;
}

function answers(rule: DnsRule, name: string, type: string): Answer[] {
  const ttl = rule.ttl ?? 60;
  if (type === 'A') return (rule.a ?? []).map((data) => ({ type: 'A', class: 'IN', name, ttl, data }));
  if (type === 'AAAA') return (rule.aaaa ?? []).map((data) => ({ type: 'AAAA', class: 'IN', name, ttl, data }));
  return [];
}

function reply(query: Packet, rule: DnsRule | undefined): Buffer {
  const question = query.questions?.[0];
  const name = question?.name ?? '';
  const rcode = rule === undefined ? rcodes.NXDOMAIN : rule.rcode === undefined ? 0 : rcodes[rule.rcode];
  return dnsPacket.encode({
    id: query.id,
    type: 'response',
    // QR, RD copied, RA; the low four bits are the response code.
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
    questions: query.questions,
    answers: rule !== undefined && rcode === 0 && question ? answers(rule, name, question.type) : [],
  });
}

function checkRule(name: string, rule: DnsRule): void {
  for (const address of rule.a ?? []) if (isIP(address) !== 4) throw new Error(`${name}: ${address} is not an IPv4 address`);
  for (const address of rule.aaaa ?? []) if (isIP(address) !== 6) throw new Error(`${name}: ${address} is not an IPv6 address`);
}

/** Starts a server on 127.0.0.1 (port 0 unless given) answering by `zone`. */
export async function startDnsServer(zone: DnsZone = {}, port = 0): Promise<DnsServer> {
  const rules = new Map<string, DnsRule>();
  const counts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let maxPending = 0;
  const set = (name: string, rule: DnsRule) => {
    checkRule(name, rule);
    rules.set(name.toLowerCase(), rule);
  };
  for (const [name, rule] of Object.entries(zone)) set(name, rule);
  const socket = dgram.createSocket('udp4');
  socket.on('message', (message, peer) => {
    let query: Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return; // not DNS: ignored, as a real server would
    }
    const name = (query.questions?.[0]?.name ?? '').toLowerCase();
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const rule = ruleFor(rules, name);
    if (rule?.silent === true || rule?.silent === query.questions?.[0]?.type) return;
    const send = () => socket.send(reply(query, rule), peer.port, peer.address);
    if (!rule?.delayMs) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, rule.delayMs);
    timers.add(timer);
    maxPending = Math.max(maxPending, timers.size);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve());
  });
  const bound = socket.address().port;
  return {
    address: `127.0.0.1:${bound}`,
    port: bound,
    set,
    maxPending: () => maxPending,
    queries: (name) => (name === undefined ? [...counts.values()].reduce((sum, count) => sum + count, 0) : (counts.get(name.toLowerCase()) ?? 0)),
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      return new Promise((resolve) => socket.close(() => resolve()));
    },
  };
}
