// Checks of targets named by host, resolved by a real DNS server on loopback (the resolver's
// `servers`): each DNS failure is reason `dns` with its own code, and the dns phase is the
// server's delay — never time spent waiting for a thread.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateCheckResult, type CheckResult } from '@sitewatch/schema';
import { startDnsServer, type DnsServer } from '../../../../tools/testing/dns-server.js';
import { startTestSites, type TestSites } from '../../test/sites.js';
import { checkTarget } from './http-check.js';
import { createResolver, type Resolver, type ResolverOptions } from './resolver.js';
import { compileTarget, type Target } from './target.js';

let sites: TestSites;
let dns: DnsServer;
let resolver: Resolver;
let port: string;

beforeAll(async () => {
  sites = await startTestSites();
  port = new URL(sites.http).port;
  dns = await startDnsServer({
    'ok.test': { a: ['127.0.0.1'] },
    'slow.test': { a: ['127.0.0.1'], delayMs: 100 },
    'servfail.test': { rcode: 'SERVFAIL' },
    'refused.test': { rcode: 'REFUSED' },
    'silent.test': { silent: true },
    '*.many.test': { a: ['127.0.0.1'], delayMs: 300 },
  });
  resolver = resolverFor();
});
afterAll(async () => {
  await Promise.all([sites.close(), dns.close()]);
});

/**
 * Asks the test server only, A records, one try. The server answers from this busy process,
 * so the wait is long enough for any answer; the silent case sets a short one.
 */
function resolverFor(options: ResolverOptions = {}): Resolver {
  return createResolver({ servers: [dns.address], family: 'ipv4', timeoutMs: 5000, tries: 1, ...options });
}

async function check(host: string, settings: Partial<Target> = {}, using = resolver): Promise<CheckResult> {
  const target = compileTarget({ id: 'site', url: `http://${host}:${port}/ok`, timeoutMs: 3000, ...settings });
  const result = await checkTarget(target, { probeId: 'test-probe', resolver: using });
  expect(validateCheckResult(result)).toEqual({ ok: true, value: result });
  return result;
}

describe('checkTarget of a host name', () => {
  it('resolves it through the configured server and times the lookup', async () => {
    const before = dns.queries('ok.test');
    const result = await check('ok.test');
    expect(result).toMatchObject({ outcome: 'up', statusCode: 200 });
    expect(Object.keys(result.phases).sort()).toEqual(['dnsMs', 'downloadMs', 'tcpMs', 'ttfbMs']);
    expect(dns.queries('ok.test')).toBe(before + 1);
  });

  it("reports the server's delay as the dns phase", async () => {
    const result = await check('slow.test');
    expect(result.outcome).toBe('up');
    // The server's timer may fire a few ms early (libuv starts it from the loop's cached
    // time); the upper bound only says it is not a queue.
    expect(result.phases.dnsMs).toBeGreaterThanOrEqual(95);
    expect(result.phases.dnsMs).toBeLessThan(1100);
    expect(result.responseTimeMs).toBeGreaterThanOrEqual(result.phases.dnsMs!);
  });

  it.each([
    ['nx.test', 'ENOTFOUND', 'no such name: nx.test does not exist (NXDOMAIN)'],
    ['servfail.test', 'ESERVFAIL', 'the DNS server failed to resolve servfail.test (SERVFAIL)'],
    ['refused.test', 'EREFUSED', 'the DNS server refused to resolve refused.test (REFUSED)'],
    ['silent.test', 'ETIMEOUT', 'no answer from the DNS server for silent.test (timed out)'],
  ])('reports %s as reason dns, code %s', async (host, code, message) => {
    const result = await check(host, {}, code === 'ETIMEOUT' ? resolverFor({ timeoutMs: 100 }) : resolver);
    expect(result).toMatchObject({ outcome: 'down', reason: 'dns', error: { code, message }, bytesRead: 0 });
    expect(result.phases).toEqual({});
  });

  it('reports a DNS server that cannot be reached as reason dns, not connect', async () => {
    const gone = await startDnsServer();
    await gone.close();
    const result = await check('ok.test', {}, createResolver({ servers: [gone.address], timeoutMs: 100, tries: 1 }));
    expect(result).toMatchObject({ outcome: 'down', reason: 'dns', error: { code: 'ECONNREFUSED', message: expect.stringMatching(/^no DNS server could be reached/) } });
  });

  it("reports a lookup the check's deadline cuts short as reason timeout, during the DNS lookup", async () => {
    const patient = resolverFor({ timeoutMs: 5000 });
    const result = await check('silent.test', { timeoutMs: 200 }, patient);
    patient.cancel();
    expect(result).toMatchObject({ outcome: 'down', reason: 'timeout', error: { code: 'ETIMEDOUT', message: 'no complete response within 200 ms: timed out during the DNS lookup' } });
  });

  it('calls a refused connection to a name from the hosts file a connect failure, with its lookup timed', async () => {
    const refusedPort = new URL(sites.refused).port;
    const target = compileTarget({ id: 'site', url: `http://localhost:${refusedPort}/`, timeoutMs: 3000 });
    const result = await checkTarget(target, { probeId: 'test-probe', resolver });
    expect(result).toMatchObject({ outcome: 'down', reason: 'connect', error: { code: 'ECONNREFUSED' } });
    expect(result.phases.dnsMs).toBeGreaterThanOrEqual(0);
  });

  it('sends every lookup at once: none waits for a thread, so each dns phase is the delay', async () => {
    const checks = 60;
    const patient = resolverFor({ timeoutMs: 2000 });
    const results = await Promise.all(Array.from({ length: checks }, (_, i) => check(`site-${i}.many.test`, {}, patient)));
    for (const result of results) {
      expect(result).toMatchObject({ outcome: 'up', phases: { dnsMs: expect.any(Number) } });
      expect(result.phases.dnsMs).toBeGreaterThanOrEqual(295);
    }
    // Through libuv's 4 threads (dns.lookup) the server would see at most 4 queries at a time.
    expect(dns.maxPending()).toBeGreaterThan(checks / 2);
  });
});
