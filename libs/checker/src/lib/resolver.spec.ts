import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDnsServer, type DnsServer } from '../../../../tools/testing/dns-server.js';
import { waitFor } from '../../../../tools/testing/wait-for.js';
import { parseHosts } from './hosts.js';
import { checkResolverOptions, createResolver, type Resolver, type ResolverOptions } from './resolver.js';

let dns: DnsServer;
beforeAll(async () => {
  dns = await startDnsServer({
    'v4.test': { a: ['127.0.0.1', '127.0.0.2'] },
    'v6.test': { aaaa: ['::1'] },
    'dual.test': { a: ['127.0.0.1'], aaaa: ['::1'] },
    'servfail.test': { rcode: 'SERVFAIL' },
    'refused.test': { rcode: 'REFUSED' },
    'silent.test': { silent: true },
    'slow.test': { a: ['127.0.0.1'], delayMs: 100 },
  });
});
afterAll(() => dns.close());

/**
 * A resolver asking the test server. The server answers from this busy process, so a wait
 * long enough for any answer; tests of silence set a short one themselves.
 */
const resolverFor = (options: ResolverOptions = {}) => createResolver({ servers: [dns.address], timeoutMs: 5000, tries: 1, ...options });

function lookup(resolver: Resolver, name: string, options: { all?: boolean; family?: number } = { all: true }): Promise<unknown> {
  return new Promise((resolve, reject) => {
    resolver.lookup(name, options, (error, address, family) => (error ? reject(error) : resolve(options.all ? address : { address, family })));
  });
}

describe('createResolver', () => {
  it('asks the configured server for the family it is set to', async () => {
    expect(await lookup(resolverFor({ family: 'ipv4' }), 'v4.test')).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '127.0.0.2', family: 4 },
    ]);
    expect(await lookup(resolverFor({ family: 'ipv6' }), 'v6.test')).toEqual([{ address: '::1', family: 6 }]);
    expect(await lookup(resolverFor({ family: 'ipv4' }), 'dual.test', { all: false })).toEqual({ address: '127.0.0.1', family: 4 });
  });

  it('gives both families for `both`, IPv6 first, and whichever a name has', async () => {
    const resolver = resolverFor({ family: 'both' });
    expect(await lookup(resolver, 'dual.test')).toEqual([
      { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
    ]);
    expect(await lookup(resolver, 'v4.test')).toHaveLength(2);
    expect(await lookup(resolver, 'v6.test')).toEqual([{ address: '::1', family: 6 }]);
    // Asked for one address (no autoSelectFamily), it gives the IPv4 one.
    expect(await lookup(resolver, 'dual.test', { all: false })).toEqual({ address: '127.0.0.1', family: 4 });
  });

  it('follows the family net.connect asks for', async () => {
    expect(await lookup(resolverFor({ family: 'both' }), 'dual.test', { family: 4 })).toEqual({ address: '127.0.0.1', family: 4 });
  });

  it.each([
    ['nx.test', 'ENOTFOUND'],
    ['servfail.test', 'ESERVFAIL'],
    ['refused.test', 'EREFUSED'],
    ['silent.test', 'ETIMEOUT'],
    ['v6.test', 'ENODATA'],
  ])('fails %s with %s', async (name, code) => {
    const timeoutMs = code === 'ETIMEOUT' ? 100 : 5000;
    await expect(lookup(resolverFor({ family: 'ipv4', timeoutMs }), name)).rejects.toMatchObject({ code });
    await expect(lookup(resolverFor({ family: 'both', timeoutMs }), name === 'v6.test' ? 'v4-only.test' : name)).rejects.toMatchObject({
      code: name === 'v6.test' ? 'ENOTFOUND' : code,
    });
  });

  it('fails with ECONNREFUSED when nothing listens on the server port', async () => {
    const gone = await startDnsServer();
    await gone.close();
    await expect(lookup(createResolver({ servers: [gone.address], timeoutMs: 100, tries: 1 }), 'v4.test')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('does not wait for a family that is silent once the other answered', async () => {
    dns.set('no-aaaa-answer.test', { a: ['127.0.0.1'], silent: 'AAAA' });
    const resolver = resolverFor({ family: 'both', timeoutMs: 10_000 });
    const started = performance.now();
    expect(await lookup(resolver, 'no-aaaa-answer.test')).toEqual([{ address: '127.0.0.1', family: 4 }]);
    // The AAAA query would time out after 10 s or more; the A answer is used after the 50 ms resolution delay.
    expect(performance.now() - started).toBeLessThan(9000);
    resolver.cancel();
  });

  it('answers localhost from the hosts file, and .invalid names as unknown, without a query', async () => {
    const resolver = resolverFor();
    const before = dns.queries();
    expect(await lookup(resolver, 'localhost', { family: 4, all: true })).toContainEqual({ address: '127.0.0.1', family: 4 });
    await expect(lookup(resolver, 'anything.invalid')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(dns.queries()).toBe(before);
  });

  it('asks again at every lookup when answers are not cached (the default)', async () => {
    const resolver = resolverFor({ family: 'ipv4' });
    const before = dns.queries('v4.test');
    await lookup(resolver, 'v4.test');
    await lookup(resolver, 'v4.test');
    expect(dns.queries('v4.test')).toBe(before + 2);
  });

  it('keeps answers for their TTL, at most cacheMaxTtlMs, and then sees a name that stopped resolving', async () => {
    dns.set('cached.test', { a: ['127.0.0.1'], ttl: 3600 });
    const resolver = resolverFor({ family: 'ipv4', cacheMaxTtlMs: 300 });
    await lookup(resolver, 'cached.test');
    await lookup(resolver, 'cached.test');
    expect(dns.queries('cached.test')).toBe(1);
    dns.set('cached.test', { rcode: 'NXDOMAIN' });
    await waitFor('the cached answer to expire', () => lookup(resolver, 'cached.test').then(() => false, (error: NodeJS.ErrnoException) => error.code === 'ENOTFOUND'), 5000, 50);
  });

  it('never keeps an answer whose TTL is 0', async () => {
    dns.set('ttl0.test', { a: ['127.0.0.1'], ttl: 0 });
    const resolver = resolverFor({ family: 'ipv4', cacheMaxTtlMs: 60_000 });
    await lookup(resolver, 'ttl0.test');
    await lookup(resolver, 'ttl0.test');
    expect(dns.queries('ttl0.test')).toBe(2);
  });

  it('refuses options that cannot work, every problem by JSON Pointer', () => {
    expect(() => createResolver({ servers: ['dns.example.com', '127.0.0.1:53'], family: 'ipv5' as never, tries: 0 })).toThrow(
      expect.objectContaining({
        code: 'ERR_CHECKER_INVALID_OPTIONS',
        problems: [
          { path: '/tries', message: 'must be >= 1' },
          { path: '/family', message: 'must be one of: ipv4, ipv6, both' },
          { path: '/servers/0', message: expect.stringMatching(/^must be an IP address/) },
        ],
      }),
    );
  });

  it.each([
    ['10.0.0.53', true],
    ['127.0.0.1:5353', true],
    ['2001:db8::53', true],
    ['[2001:db8::53]:53', true],
    ['[::1]', true],
    ['dns.example.com', false],
    ['127.0.0.1:99999', false],
    ['[127.0.0.1]:53', false],
    ['2001:db8::53:53x', false],
  ])('takes %s as a server: %s', (server, valid) => {
    const problems = checkResolverOptions({ servers: ['127.0.0.1', server] });
    expect(problems).toEqual(valid ? [] : [{ path: '/servers/1', message: expect.stringMatching(/^must be an IP address with an optional port/) }]);
  });
});

describe('parseHosts', () => {
  it('reads addresses and aliases, skips comments and lines without an address', () => {
    const table = parseHosts('# comment\n127.0.0.1\tlocalhost Box # trailing\n::1 localhost ip6-localhost\nnot-an-ip name\n\n10.0.0.1 box\n');
    expect(table.get('localhost')).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
    expect(table.get('box')).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ]);
    expect(table.has('name')).toBe(false);
  });
});
