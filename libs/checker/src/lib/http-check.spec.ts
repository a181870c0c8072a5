import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateCheckResult, type CheckResult, type Logger } from '@sitewatch/schema';
import { lateMarginMs, startTestSites, welcomePage, type TestSites } from '../../test/sites.js';
import { userAgent } from './http-exchange.js';
import { checkTarget, type CheckOptions } from './http-check.js';
import { compileTarget, type Target } from './target.js';

let sites: TestSites;
beforeAll(async () => {
  sites = await startTestSites();
});
afterAll(() => sites.close());

async function check(settings: Omit<Target, 'id'>, options: Partial<CheckOptions> = {}): Promise<CheckResult> {
  const target = compileTarget({ id: 'site', timeoutMs: 3000, ...settings });
  const result = await checkTarget(target, { probeId: 'test-probe', ...options });
  expect(validateCheckResult(result)).toEqual({ ok: true, value: result });
  return result;
}

/** Phases add up to no more than the total, and each is a sane number of milliseconds. */
function expectConsistentTimings(result: CheckResult): void {
  const phases = Object.values(result.phases) as number[];
  for (const ms of phases) expect(ms).toBeGreaterThanOrEqual(0);
  const sum = phases.reduce((total, ms) => total + ms, 0);
  expect(result.responseTimeMs).toBeGreaterThanOrEqual(sum - 0.01);
  expect(result.responseTimeMs).toBeLessThan(3000);
}

describe('checkTarget against a local HTTP server', () => {
  it('reports a 200 as up, with the phases of a plain-HTTP connection to an IP address', async () => {
    const scheduledAt = new Date(Date.now() - 5);
    const result = await check({ url: `${sites.http}/ok` }, { scheduledAt });
    expect(result).toMatchObject({ outcome: 'up', statusCode: 200, bytesRead: welcomePage.length, redirects: 0, targetId: 'site', probeId: 'test-probe' });
    expect(result.scheduledAt).toBe(scheduledAt.toISOString());
    expect(Date.parse(result.startedAt)).toBeGreaterThanOrEqual(scheduledAt.getTime());
    expect(result).not.toHaveProperty('reason');
    expect(result).not.toHaveProperty('error');
    expect(Object.keys(result.phases).sort()).toEqual(['downloadMs', 'tcpMs', 'ttfbMs']);
    // From the monotonic clock at socket events, not got's whole milliseconds of Date.now().
    expect([result.responseTimeMs, ...(Object.values(result.phases) as number[])].some((ms) => !Number.isInteger(ms))).toBe(true);
    expectConsistentTimings(result);
  });

  it('times the DNS lookup of a host name', async () => {
    const result = await check({ url: `${sites.http.replace('127.0.0.1', 'localhost')}/ok` });
    expect(result.outcome).toBe('up');
    expect(result.phases.dnsMs).toBeGreaterThanOrEqual(0);
    expectConsistentTimings(result);
  });

  it.each([404, 503])('reports a %i as down with reason status', async (code) => {
    const result = await check({ url: `${sites.http}/status?code=${code}` });
    expect(result).toMatchObject({ outcome: 'down', reason: 'status', statusCode: code });
    expect(result.error).toEqual({ code: 'STATUS_NOT_ACCEPTED', message: `status ${code} is not among 200-399` });
    expectConsistentTimings(result);
  });

  it('accepts the statuses the target lists', async () => {
    const result = await check({ url: `${sites.http}/status?code=404`, acceptStatus: ['200-299', '404'] });
    expect(result).toMatchObject({ outcome: 'up', statusCode: 404 });
  });

  it('measures a slow first byte', async () => {
    const result = await check({ url: `${sites.http}/slow-headers?ms=200` });
    expect(result.outcome).toBe('up');
    expect(result.phases.ttfbMs).toBeGreaterThanOrEqual(195);
    expect(result.responseTimeMs).toBeGreaterThanOrEqual(195);
    expectConsistentTimings(result);
  });

  it('times out waiting for the headers, saying so', async () => {
    const result = await check({ url: `${sites.http}/slow-headers?ms=5000`, timeoutMs: 300 });
    expect(result).toMatchObject({ outcome: 'down', reason: 'timeout', bytesRead: 0 });
    expect(result.error).toEqual({ code: 'ETIMEDOUT', message: 'no complete response within 300 ms: timed out waiting for the response headers' });
    expect(result).not.toHaveProperty('statusCode');
    expect(result.phases.tcpMs).toBeDefined();
    expect(result.phases.ttfbMs).toBeUndefined();
    expect(result.responseTimeMs).toBeGreaterThanOrEqual(299);
    expect(result.responseTimeMs).toBeLessThan(300 + lateMarginMs);
  });

  it('times out in the middle of a slow body, keeping what arrived', async () => {
    const result = await check({ url: `${sites.http}/slow-body?ms=5000`, timeoutMs: 300 });
    expect(result).toMatchObject({ outcome: 'down', reason: 'timeout', statusCode: 200, bytesRead: 'first part;'.length });
    expect(result.error?.message).toBe('no complete response within 300 ms: timed out while reading the body');
    expect(result.phases.downloadMs).toBeGreaterThan(200);
    expect(result.responseTimeMs).toBeLessThan(300 + lateMarginMs);
  });

  it('reports a refused connection as reason connect', async () => {
    const result = await check({ url: `${sites.refused}/` });
    expect(result).toMatchObject({ outcome: 'down', reason: 'connect', bytesRead: 0 });
    expect(result.error?.code).toBe('ECONNREFUSED');
    expect(result.error?.message).toMatch(/^connection to 127\.0\.0\.1:\d+ failed: connection refused$/);
    expect(result.phases).toEqual({});
    // Not retried: got's retry would wait a second or more first.
    expect(result.responseTimeMs).toBeLessThan(1000);
  });

  it('reports a reset before any response as reason connect', async () => {
    const result = await check({ url: `${sites.http}/reset-before-response` });
    expect(result).toMatchObject({ outcome: 'down', reason: 'connect', bytesRead: 0 });
    expect(result.error?.code).toBe('ECONNRESET');
    expect(result.error?.message).toMatch(/^connection to 127\.0\.0\.1:\d+ failed: connection reset$/);
    expect(result).not.toHaveProperty('statusCode');
    expect(result.phases.tcpMs).toBeDefined();
  });

  it('reports a reset in the middle of the body as reason connect, with the status and bytes so far', async () => {
    const result = await check({ url: `${sites.http}/reset-mid-body` });
    expect(result).toMatchObject({ outcome: 'down', reason: 'connect', statusCode: 200, bytesRead: 1000 });
    expect(result.error).toEqual({ code: 'ECONNRESET', message: 'connection broke after 1000 body bytes' });
    // The server resets 20 ms after the body, but a loaded client may read both at once.
    expect(result.phases.downloadMs).toBeGreaterThanOrEqual(0);
  });

  it('reports an unresolvable name as reason dns', async () => {
    const result = await check({ url: 'http://no-such-site.invalid/?token=abc' });
    expect(result).toMatchObject({ outcome: 'down', reason: 'dns', bytesRead: 0 });
    expect(result.error).toEqual({ code: 'ENOTFOUND', message: 'no such name: no-such-site.invalid does not exist (NXDOMAIN)' });
    expect(result.phases).toEqual({});
  });

  it('gives up on a redirect loop after maxRedirects', async () => {
    const result = await check({ url: `${sites.http}/redirect-loop`, maxRedirects: 3 });
    expect(result).toMatchObject({ outcome: 'down', reason: 'redirects', redirects: 3 });
    expect(result.error).toEqual({ code: 'ERR_TOO_MANY_REDIRECTS', message: 'more than 3 redirects' });
    expect(result.phases.tcpMs).toBeDefined();
  });

  it('follows redirects and sums the phases of every hop', async () => {
    const result = await check({ url: `${sites.http}/redirect?hops=3` });
    expect(result).toMatchObject({ outcome: 'up', statusCode: 200, redirects: 3, bytesRead: welcomePage.length });
    expectConsistentTimings(result);
  });

  it('judges the redirect itself when redirects are not followed', async () => {
    expect(await check({ url: `${sites.http}/redirect?hops=1`, followRedirects: false })).toMatchObject({ outcome: 'up', statusCode: 302, redirects: 0 });
    const strict = await check({ url: `${sites.http}/redirect?hops=1`, followRedirects: false, acceptStatus: ['200-299'] });
    expect(strict).toMatchObject({ outcome: 'down', reason: 'status', statusCode: 302 });
  });

  it('stops reading a huge body at the cap', async () => {
    const before = sites.connections();
    // A body without end: a check that read on would end by its timeout, not body_too_large.
    const result = await check({ url: `${sites.http}/huge?bytes=${Number.MAX_SAFE_INTEGER}`, maxBodyBytes: 100_000 });
    expect(result).toMatchObject({ outcome: 'down', reason: 'body_too_large', statusCode: 200, bytesRead: 100_000 });
    expect(result.error).toEqual({ code: 'BODY_TOO_LARGE', message: 'body goes on beyond 100000 bytes' });
    expect(sites.connections()).toBe(before + 1);
  });

  it('accepts a body of exactly the cap', async () => {
    const result = await check({ url: `${sites.http}/huge?bytes=100000`, maxBodyBytes: 100_000 });
    expect(result).toMatchObject({ outcome: 'up', bytesRead: 100_000 });
  });

  it('decompresses a gzip body and counts the decompressed bytes', async () => {
    const result = await check({ url: `${sites.http}/gzip`, mustMatch: 'systems operational' });
    expect(result).toMatchObject({ outcome: 'up', bytesRead: welcomePage.length });
    expect(result.regex).toEqual({ mustMatch: { pattern: 'systems operational', matched: true } });
  });

  it('reads no body for HEAD', async () => {
    const result = await check({ url: `${sites.http}/ok`, method: 'HEAD' });
    expect(result).toMatchObject({ outcome: 'up', statusCode: 200, bytesRead: 0 });
  });
});

describe('connections and headers', () => {
  it('opens a fresh connection for every check, and asks the server to close it', async () => {
    const before = sites.connections();
    const target = compileTarget({ id: 'echo', url: `${sites.http}/echo`, headers: { 'x-probe': 'yes' } });
    await checkTarget(target, { probeId: 'p' });
    await checkTarget(target, { probeId: 'p' });
    expect(sites.connections()).toBe(before + 2);
    expect(sites.lastHeaders()).toMatchObject({ connection: 'close', 'user-agent': userAgent, 'x-probe': 'yes' });
  });

  it('never logs header values nor puts them in the result', async () => {
    const lines: unknown[] = [];
    const capture: Logger = {
      debug: (...args: unknown[]) => void lines.push(args),
      info: (...args: unknown[]) => void lines.push(args),
      warn: (...args: unknown[]) => void lines.push(args),
      error: (...args: unknown[]) => void lines.push(args),
      child: () => capture,
    };
    const secret = 'Bearer s3cr3t-t0ken';
    const up = await check({ url: `${sites.http}/echo`, headers: { authorization: secret } }, { logger: capture });
    const down = await check({ url: `${sites.refused}/`, headers: { authorization: secret } }, { logger: capture });
    expect(lines).toHaveLength(2);
    expect(JSON.stringify([lines, up, down])).not.toContain('s3cr3t');
    expect(lines[1]).toEqual([expect.objectContaining({ targetId: 'site', reason: 'connect', errorCode: 'ECONNREFUSED' }), 'check failed']);
  });
});

describe('misuse', () => {
  it('rejects a target that did not come from compileTarget()', async () => {
    const handMade = { ...compileTarget({ id: 'x', url: `${sites.http}/ok` }) };
    await expect(checkTarget(handMade, { probeId: 'p' })).rejects.toMatchObject({ code: 'ERR_CHECKER_INVALID_TARGET' });
  });

  it('rejects with ERR_CHECKER_ABORTED when the caller aborts, instead of reporting the site down', async () => {
    const target = compileTarget({ id: 'slow', url: `${sites.http}/slow-headers?ms=5000` });
    const controller = new AbortController();
    const checking = checkTarget(target, { probeId: 'p', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(checking).rejects.toMatchObject({ code: 'ERR_CHECKER_ABORTED' });
  });
});
