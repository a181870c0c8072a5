import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateCheckResult, type CheckResult } from '@sitewatch/schema';
import { startTestSites, welcomePage, type TestSites } from '../../test/sites.js';
import { checkTarget, type CheckOptions } from './http-check.js';
import { compileTarget, type Target } from './target.js';

let sites: TestSites;
beforeAll(async () => {
  sites = await startTestSites();
});
afterAll(() => sites.close());

async function check(settings: Omit<Target, 'id'>, options: Partial<CheckOptions> = {}): Promise<CheckResult> {
  const result = await checkTarget(compileTarget({ id: 'tls-site', timeoutMs: 3000, ...settings }), { probeId: 'test-probe', ...options });
  expect(validateCheckResult(result)).toEqual({ ok: true, value: result });
  return result;
}

const inDays = (iso: string | undefined) => (Date.parse(iso ?? '') - Date.now()) / (24 * 60 * 60 * 1000);

describe('checkTarget over TLS', () => {
  it('checks a site whose certificate chains to the given CA, timing the handshake', async () => {
    const result = await check({ url: `${sites.https}/ok` }, { ca: sites.ca });
    expect(result).toMatchObject({ outcome: 'up', statusCode: 200, bytesRead: welcomePage.length });
    expect(Object.keys(result.phases).sort()).toEqual(['downloadMs', 'tcpMs', 'tlsMs', 'ttfbMs']);
    expect(result.phases.tlsMs).toBeGreaterThan(0);
    expect(result.responseTimeMs).toBeGreaterThanOrEqual((Object.values(result.phases) as number[]).reduce((a, b) => a + b, 0) - 0.01);
    // The test CA issues certificates valid for 30 days.
    expect(inDays(result.tlsNotAfter)).toBeGreaterThan(29);
    expect(inDays(result.tlsNotAfter)).toBeLessThan(31);
  });

  it('does a full handshake on every check: no TLS session is resumed', async () => {
    const target = compileTarget({ id: 'tls-site', url: `${sites.https}/ok` });
    const before = { connections: sites.connections(), resumed: sites.resumedSessions() };
    for (let i = 0; i < 3; i++) expect((await checkTarget(target, { probeId: 'p', ca: sites.ca })).phases.tlsMs).toBeGreaterThan(0);
    expect(sites.connections()).toBe(before.connections + 3);
    expect(sites.resumedSessions()).toBe(before.resumed);
  });

  it('rejects a certificate from an untrusted CA, still reporting its expiry', async () => {
    const result = await check({ url: `${sites.https}/ok` });
    expect(result).toMatchObject({ outcome: 'down', reason: 'tls', bytesRead: 0 });
    expect(result.error?.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(result.error?.message).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed: certificate not trusted$/);
    expect(inDays(result.tlsNotAfter)).toBeGreaterThan(29);
    expect(result).not.toHaveProperty('statusCode');
    expect(result.phases.tlsMs).toBeUndefined();
    expect(result.phases.tcpMs).toBeDefined();
  });

  it('rejects an expired certificate and says when it expired', async () => {
    const result = await check({ url: `${sites.expiredHttps}/ok` }, { ca: sites.ca });
    expect(result).toMatchObject({ outcome: 'down', reason: 'tls', tlsNotAfter: sites.expiredNotAfter.toISOString() });
    expect(result.error?.code).toBe('CERT_HAS_EXPIRED');
    expect(result.error?.message).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed: certificate expired$/);
  });

  it('rejects a certificate for another host', async () => {
    const result = await check({ url: `${sites.wrongHostHttps}/ok` }, { ca: sites.ca });
    expect(result).toMatchObject({ outcome: 'down', reason: 'tls' });
    expect(result.error?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(result.error?.message).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed: certificate is for another host$/);
    expect(inDays(result.tlsNotAfter)).toBeGreaterThan(29);
  });

  it('accepts any certificate when the target opts out of verification, and still reports its expiry', async () => {
    const result = await check({ url: `${sites.expiredHttps}/ok`, tlsVerify: false });
    expect(result).toMatchObject({ outcome: 'up', statusCode: 200, tlsNotAfter: sites.expiredNotAfter.toISOString() });
    expect(result.phases.tlsMs).toBeGreaterThan(0);
  });

  it('reports a server that does not speak TLS as reason tls', async () => {
    const result = await check({ url: `${sites.http.replace('http:', 'https:')}/ok` });
    expect(result).toMatchObject({ outcome: 'down', reason: 'tls' });
    expect(result.error?.code).toMatch(/^(EPROTO|ERR_SSL_WRONG_VERSION_NUMBER)$/);
    expect(result).not.toHaveProperty('tlsNotAfter');
  });
});
