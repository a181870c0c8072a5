import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateCheckResult, type CheckResult } from '@sitewatch/schema';
import { startTestSites, welcomePage, type TestSites } from '../../test/sites.js';
import { waitFor } from '../../../../tools/testing/wait-for.js';
import { checkTarget } from './http-check.js';
import { compileTarget, type Target } from './target.js';

let sites: TestSites;
beforeAll(async () => {
  sites = await startTestSites();
});
afterAll(() => sites.close());

async function check(settings: Omit<Target, 'id'>): Promise<CheckResult> {
  const result = await checkTarget(compileTarget({ id: 'client', timeoutMs: 3000, ...settings }), { probeId: 'test-probe', ca: sites.ca });
  expect(validateCheckResult(result)).toEqual({ ok: true, value: result });
  return result;
}

const redirectTo = (url: string, status = 302) => `${sites.http}/redirect-to?status=${status}&url=${encodeURIComponent(url)}`;

describe('redirects', () => {
  it('keeps credentials on a redirect within the origin', async () => {
    await check({ url: redirectTo('/echo'), headers: { authorization: 'Bearer same-origin', 'x-kept': '1' } });
    expect(sites.lastHeaders()).toMatchObject({ authorization: 'Bearer same-origin', 'x-kept': '1' });
  });

  it('drops credentials and cookies on a redirect to another origin, keeping other headers', async () => {
    const otherOrigin = `${sites.http.replace('127.0.0.1', 'localhost')}/echo`;
    const headers = { authorization: 'Bearer secret', cookie: 'a=b', Host: 'virtual.test', 'x-kept': '1' };
    const result = await check({ url: redirectTo(otherOrigin), headers });
    expect(result).toMatchObject({ outcome: 'up', redirects: 1 });
    expect(sites.lastHeaders()).not.toHaveProperty('authorization');
    expect(sites.lastHeaders()).not.toHaveProperty('cookie');
    expect(sites.lastHeaders()).toMatchObject({ host: new URL(otherOrigin).host, 'x-kept': '1' });
  });

  it.each([301, 303, 307, 308])('follows a %i', async (status) => {
    expect(await check({ url: redirectTo('/ok', status) })).toMatchObject({ outcome: 'up', statusCode: 200, redirects: 1 });
  });

  it('follows a redirect from http to https, timing the handshake of the second hop', async () => {
    const result = await check({ url: redirectTo(`${sites.https}/ok`) });
    expect(result).toMatchObject({ outcome: 'up', statusCode: 200, redirects: 1, bytesRead: welcomePage.length });
    expect(result.phases.tlsMs).toBeGreaterThan(0);
    expect(result.tlsNotAfter).toBeDefined();
  });

  it('fails with reason redirects on a redirect to another protocol', async () => {
    const result = await check({ url: redirectTo('ftp://files.test/x') });
    expect(result).toMatchObject({ outcome: 'down', reason: 'redirects', redirects: 0 });
    expect(result.error).toEqual({ code: 'ERR_INVALID_REDIRECT', message: 'redirect to an unsupported protocol ftp:' });
  });

  it('fails with reason redirects on a location that is not a URL', async () => {
    const result = await check({ url: redirectTo('http://[::1') });
    expect(result).toMatchObject({ outcome: 'down', reason: 'redirects', redirects: 0 });
    expect(result.error).toEqual({ code: 'ERR_INVALID_REDIRECT', message: 'redirect to a location that is not a URL' });
  });

  it('closes the connection of a redirect whose body never ends, instead of draining it', async () => {
    const result = await check({ url: `${sites.http}/redirect-endless-body` });
    expect(result).toMatchObject({ outcome: 'up', statusCode: 200, redirects: 1, bytesRead: welcomePage.length });
    await waitFor('the connection closed', () => sites.openConnections() === 0, 2000, 10);
  });

  it('reads a Location header sent in UTF-8', async () => {
    const result = await check({ url: `${sites.http}/redirect-utf8` });
    expect(result).toMatchObject({ outcome: 'up', statusCode: 200, redirects: 1 });
    expect(sites.lastHeaders()?.['x-path']).toBe('/echo?name=caf%C3%A9');
  });

  it('does not follow a 3xx without a location', async () => {
    const result = await check({ url: `${sites.http}/status?code=302` });
    expect(result).toMatchObject({ outcome: 'up', statusCode: 302, redirects: 0 });
  });
});

describe('decompression', () => {
  it.each(['deflate', 'deflate-raw', 'brotli'])('decodes a %s body', async (path) => {
    const result = await check({ url: `${sites.http}/${path}`, mustMatch: 'All systems operational' });
    expect(result).toMatchObject({ outcome: 'up', bytesRead: welcomePage.length, regex: { mustMatch: { matched: true } } });
  });

  it('asks for compressed bodies unless the target says otherwise', async () => {
    await check({ url: `${sites.http}/echo` });
    // got adds zstd where Node.js has it (22.15 and later).
    expect(sites.lastHeaders()?.['accept-encoding']).toMatch(/^gzip, deflate, br(, zstd)?$/);
    await check({ url: `${sites.http}/echo`, headers: { 'accept-encoding': 'identity' } });
    expect(sites.lastHeaders()?.['accept-encoding']).toBe('identity');
  });
});
