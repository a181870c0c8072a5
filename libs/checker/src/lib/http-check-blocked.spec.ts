// Checks with blocked networks (`blockNetworks`), against real servers on loopback and a real
// DNS server: a host whose address is in a blocked network, by name or as an IP literal, on
// the first hop or on a redirect, is down with reason blocked and is never connected to.
// The redirects to 10.0.0.1 and 169.254.169.254 are refused before any packet leaves: a
// check that tried them would end otherwise (timeout or connect), never `blocked`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateCheckResult, type CheckResult } from '@sitewatch/schema';
import { startDnsServer, type DnsServer } from '../../../../tools/testing/dns-server.js';
import { startTestSites, type TestSites } from '../../test/sites.js';
import { blockingLookup, networkBlock } from './blocked-networks.js';
import { checkTarget, type CheckOptions } from './http-check.js';
import { createResolver, type Resolver } from './resolver.js';
import { compileTarget } from './target.js';
import { peekCertificateExpiry } from './tls-peek.js';

let sites: TestSites;
let dns: DnsServer;
let resolver: Resolver;
let port: string;
let v6: http.Server;
let v6Connections = 0;

beforeAll(async () => {
  sites = await startTestSites();
  port = new URL(sites.http).port;
  dns = await startDnsServer({
    'internal.test': { a: ['127.0.0.1'] },
    'public.test': { a: ['127.0.0.1'] },
    'metadata.test': { a: ['169.254.169.254'] },
    'mapped.test': { aaaa: ['::ffff:127.0.0.1'] },
  });
  // Asks the test server only, A records, one try, with time for any answer of this busy process.
  resolver = createResolver({ servers: [dns.address], family: 'ipv4', timeoutMs: 5000, tries: 1 });
  v6 = http.createServer((_req, res) => res.end('ok')).on('connection', () => v6Connections++);
  await new Promise<void>((resolve) => v6.listen(0, '::1', resolve));
});
afterAll(async () => {
  v6.closeAllConnections();
  await Promise.all([sites.close(), dns.close(), new Promise((resolve) => v6.close(resolve))]);
});

const isPrivate = { blockNetworks: ['private'] };
const notMetadata = { blockNetworks: ['10.0.0.0/8', '169.254.169.254/32'] };

/** Checks `url` (a long timeout: a check that waited on a connection would show as timeout, not blocked). */
async function check(url: string, options: Partial<CheckOptions> = {}): Promise<CheckResult> {
  const target = compileTarget({ id: 'site', url, timeoutMs: 30_000 });
  const result = await checkTarget(target, { probeId: 'test-probe', resolver, ...options });
  expect(validateCheckResult(result)).toEqual({ ok: true, value: result });
  return result;
}

/** The result of `check()` and the connections the test sites accepted during it. */
async function checkCounted(url: string, options: Partial<CheckOptions> = {}): Promise<{ result: CheckResult; connections: number }> {
  const before = sites.connections();
  const result = await check(url, options);
  return { result, connections: sites.connections() - before };
}

const blocked = (message: string) => ({ outcome: 'down', reason: 'blocked', error: { code: 'EBLOCKED', message }, bytesRead: 0 });

describe('checkTarget of a name that resolves into a blocked network', () => {
  it('is down with reason blocked, naming the address, and connects nowhere', async () => {
    const { result, connections } = await checkCounted(`http://internal.test:${port}/ok`, isPrivate);
    expect(result).toMatchObject(blocked('address 127.0.0.1 of internal.test is in a blocked network (127.0.0.0/8)'));
    expect(result).not.toHaveProperty('statusCode');
    expect(connections).toBe(0);
  });

  it('is up without blockNetworks, and with networks that do not hold its address', async () => {
    for (const options of [{}, notMetadata]) {
      const { result, connections } = await checkCounted(`http://internal.test:${port}/ok`, options);
      expect(result).toMatchObject({ outcome: 'up', statusCode: 200 });
      expect(connections).toBe(1);
    }
  });

  it('refuses an IPv4-mapped IPv6 answer by its IPv4 network', async () => {
    const v6Resolver = createResolver({ servers: [dns.address], family: 'ipv6', timeoutMs: 5000, tries: 1 });
    const url = `http://mapped.test:${port}/ok`;
    expect((await checkCounted(url, { resolver: v6Resolver })).result).toMatchObject({ outcome: 'up', statusCode: 200 });
    const { result, connections } = await checkCounted(url, { resolver: v6Resolver, ...isPrivate });
    expect(result).toMatchObject(blocked('address ::ffff:127.0.0.1 of mapped.test is in a blocked network (127.0.0.0/8)'));
    expect(connections).toBe(0);
  });
});

describe('checkTarget of an IP-literal URL in a blocked network', () => {
  it('is refused before connecting: IPv4', async () => {
    const { result, connections } = await checkCounted(`http://127.0.0.1:${port}/ok`, isPrivate);
    expect(result).toMatchObject({ ...blocked('address 127.0.0.1 is in a blocked network (127.0.0.0/8)'), redirects: 0 });
    expect(connections).toBe(0);
  });

  it('is refused before connecting: IPv6 [::1], which is up without blocking', async () => {
    const url = `http://[::1]:${(v6.address() as AddressInfo).port}/`;
    expect(await check(url)).toMatchObject({ outcome: 'up', statusCode: 200 });
    const before = v6Connections;
    expect(await check(url, isPrivate)).toMatchObject(blocked('address ::1 is in a blocked network (::1/128)'));
    expect(v6Connections).toBe(before);
  });

  it('is refused before connecting: IPv4-mapped [::ffff:127.0.0.1], which is up without blocking', async () => {
    const url = `http://[::ffff:127.0.0.1]:${port}/ok`;
    expect((await checkCounted(url)).result).toMatchObject({ outcome: 'up', statusCode: 200 });
    const { result, connections } = await checkCounted(url, isPrivate);
    // The URL parser writes the address in hex.
    expect(result).toMatchObject(blocked('address ::ffff:7f00:1 is in a blocked network (127.0.0.0/8)'));
    expect(connections).toBe(0);
  });
});

describe('checkTarget of a redirect into a blocked network', () => {
  const redirectTo = (url: string) => `http://public.test:${port}/redirect-to?url=${encodeURIComponent(url)}`;

  it.each([
    ['http://10.0.0.1/', 'address 10.0.0.1 is in a blocked network (10.0.0.0/8)'],
    ['http://169.254.169.254/latest/meta-data/', 'address 169.254.169.254 is in a blocked network (169.254.169.254/32)'],
  ])('to the IP literal of %s: blocked, the first hop checked, the second never made', async (location, message) => {
    const { result, connections } = await checkCounted(redirectTo(location), notMetadata);
    expect(result).toMatchObject({ ...blocked(message), redirects: 0 });
    expect(result).not.toHaveProperty('statusCode');
    expect(connections).toBe(1);
  });

  it('to a name that resolves to the metadata address: blocked in its lookup', async () => {
    const { result, connections } = await checkCounted(redirectTo(`http://metadata.test:${port}/latest/meta-data/`), notMetadata);
    expect(result).toMatchObject({ ...blocked('address 169.254.169.254 of metadata.test is in a blocked network (169.254.169.254/32)'), redirects: 1 });
    expect(connections).toBe(1);
  });
});

describe('the certificate peek after a failed verification', () => {
  it('connects through the check’s lookup, so never into a blocked network', async () => {
    const url = new URL(sites.expiredHttps.replace('127.0.0.1', 'internal.test'));
    expect(await peekCertificateExpiry(url, 5000, resolver.lookup)).toBe(sites.expiredNotAfter.toISOString());
    const before = sites.connections();
    expect(await peekCertificateExpiry(url, 5000, blockingLookup(resolver.lookup, networkBlock(['private'])))).toBeUndefined();
    expect(sites.connections()).toBe(before);
  });
});
