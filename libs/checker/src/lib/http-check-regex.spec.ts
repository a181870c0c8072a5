import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateCheckResult, type CheckResult } from '@sitewatch/schema';
import { hostileBytes, startTestSites, type TestSites } from '../../test/sites.js';
import { checkTarget } from './http-check.js';
import { bodyWorkersStarted } from './body-worker.js';
import { compileTarget, type Target } from './target.js';

let sites: TestSites;
beforeAll(async () => {
  sites = await startTestSites();
});
afterAll(() => sites.close());

async function check(settings: Omit<Target, 'id'>): Promise<CheckResult> {
  const result = await checkTarget(compileTarget({ id: 'regex-site', timeoutMs: 5000, ...settings }), { probeId: 'test-probe' });
  expect(validateCheckResult(result)).toEqual({ ok: true, value: result });
  return result;
}

describe('body regexes', () => {
  it('is up when mustMatch matches', async () => {
    const result = await check({ url: `${sites.http}/ok`, mustMatch: '(?i)all SYSTEMS operational' });
    expect(result.outcome).toBe('up');
    expect(result.regex).toEqual({ mustMatch: { pattern: '(?i)all SYSTEMS operational', matched: true } });
  });

  it('is down with body_mismatch when mustMatch does not match', async () => {
    const result = await check({ url: `${sites.http}/ok`, mustMatch: 'Maintenance' });
    expect(result).toMatchObject({ outcome: 'down', reason: 'body_mismatch', statusCode: 200 });
    expect(result.regex).toEqual({ mustMatch: { pattern: 'Maintenance', matched: false } });
    expect(result.error).toEqual({ code: 'BODY_MISMATCH', message: 'body does not match mustMatch' });
  });

  it('is down with body_mismatch when mustNotMatch matches', async () => {
    const result = await check({ url: `${sites.http}/ok`, mustMatch: 'Welcome', mustNotMatch: '<title>[^<]*</title>' });
    expect(result).toMatchObject({ outcome: 'down', reason: 'body_mismatch' });
    expect(result.regex).toEqual({
      mustMatch: { pattern: 'Welcome', matched: true },
      mustNotMatch: { pattern: '<title>[^<]*</title>', matched: true },
    });
    expect(result.error?.message).toBe('body matches mustNotMatch');
  });

  it('is up when mustNotMatch does not match', async () => {
    const result = await check({ url: `${sites.http}/ok`, mustNotMatch: '(?i)error|exception' });
    expect(result.outcome).toBe('up');
    expect(result.regex).toEqual({ mustNotMatch: { pattern: '(?i)error|exception', matched: false } });
  });

  it('runs the regexes on what was read when the body is cut at the cap, but reports body_too_large', async () => {
    const result = await check({ url: `${sites.http}/huge?bytes=1000000`, maxBodyBytes: 1000, mustMatch: '^x{1000}$' });
    expect(result).toMatchObject({ outcome: 'down', reason: 'body_too_large', bytesRead: 1000 });
    expect(result.regex?.mustMatch).toEqual({ pattern: '^x{1000}$', matched: true });
  });

  it('reports the status, not the regex, when both fail', async () => {
    const result = await check({ url: `${sites.http}/status?code=503`, mustMatch: 'Welcome' });
    expect(result).toMatchObject({ outcome: 'down', reason: 'status' });
    expect(result.regex?.mustMatch?.matched).toBe(false);
  });

  it('matches a catastrophic pattern on a hostile 1 MiB page in linear time', async () => {
    // `^(a+)+$` on 'aaa…a!' takes a backtracking engine (JavaScript's RegExp) longer than the
    // age of the universe; RE2 about 15 ms. An answer at all, not a timeout, is the proof.
    const result = await check({ url: `${sites.http}/hostile`, mustMatch: '^(a+)+$', timeoutMs: 2000 });
    expect(result).toMatchObject({ outcome: 'down', reason: 'body_mismatch', bytesRead: hostileBytes });
    expect(result.regex?.mustMatch?.matched).toBe(false);
  });

  it('keeps the event loop free during a slow match, and stops it at the deadline with reason timeout', async () => {
    // On random text RE2 falls back to its slower simulation for this automaton, in time that
    // grows with its alternatives: with 24, 2.4-3.0 s on this 1 MiB page (Node.js 20 and 24),
    // far past the deadline and its grace (400 ms). (With 2 it took 310-550 ms, and on a fast
    // run finished within the grace: the worker was not replaced.)
    const alternatives = Array.from({ length: 24 }, (_, i) => `[${String.fromCharCode(0x61 + i)}-z][^u-z]{100}`);
    const pattern = `(?s)(${alternatives.join('|')})x`;
    expect((await check({ url: `${sites.http}/ok`, mustMatch: 'Welcome' })).outcome).toBe('up');
    const workers = bodyWorkersStarted();
    const result = await check({ url: `${sites.http}/random`, mustMatch: pattern, timeoutMs: 300 });
    expect(result).toMatchObject({ outcome: 'down', reason: 'timeout', statusCode: 200, bytesRead: hostileBytes });
    expect(result.error).toEqual({ code: 'ETIMEDOUT', message: 'no complete response within 300 ms: timed out while matching the body' });
    expect(result).not.toHaveProperty('regex');
    // The next match works, on a new worker: the slow match was still running past the
    // deadline (and the grace after it), so the deadline's timer fired while it ran, which a
    // match blocking the event loop would not have let happen.
    expect((await check({ url: `${sites.http}/ok`, mustMatch: 'Welcome' })).outcome).toBe('up');
    expect(bodyWorkersStarted()).toBe(workers + 1);
  });
});
