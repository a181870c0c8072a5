import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateCheckResult, type CheckResult } from '@sitewatch/schema';
import { startJsonApi, type JsonApi } from '../../../../tools/testing/json-api.js';
import { inlineJsonBytes } from './body-worker.js';
import { checkTarget } from './http-check.js';
import { compileTarget, type Target } from './target.js';

let api: JsonApi;
beforeAll(async () => {
  api = await startJsonApi();
});
afterAll(() => api.close());

async function check(settings: Omit<Target, 'id' | 'url'> & { path?: string }): Promise<CheckResult> {
  const { path = '/health', ...rest } = settings;
  const result = await checkTarget(compileTarget({ id: 'api', url: `${api.url}${path}`, timeoutMs: 5000, ...rest }), { probeId: 'test-probe' });
  expect(validateCheckResult(result)).toEqual({ ok: true, value: result });
  return result;
}

const health = {
  status: 'UP',
  checks: { db: { status: 'UP', latencyMs: 12 }, queue: { status: 'UP', depth: '17' } },
  version: '2.4.1',
  regions: [{ name: 'eu', up: true }, { name: 'us', up: false }],
};
const json: Target['json'] = [{ pointer: '/status', equals: 'UP' }];

describe('conditions on the answer, against a local API', () => {
  it('follows an API that flips its status: up, down with reason assertion, up again', async () => {
    api.answer({ body: { status: 'UP' } });
    expect(await check({ json })).toMatchObject({ outcome: 'up', statusCode: 200 });
    api.answer({ body: { status: 'DOWN' } });
    const down = await check({ json });
    expect(down).toMatchObject({ outcome: 'down', reason: 'assertion', statusCode: 200, error: { code: 'ASSERTION_FAILED', message: 'json /status equals "UP": found "DOWN"' } });
    api.answer({ body: { status: 'UP' } });
    expect(await check({ json })).toMatchObject({ outcome: 'up' });
  });

  it('reads nested pointers and arrays', async () => {
    api.answer({ body: health });
    const passing = await check({
      json: [
        { pointer: '/checks/db/latencyMs', below: 500 },
        { pointer: '/regions/0/name', oneOf: ['eu', 'us'] },
        { pointer: '/regions/1/up', equals: false },
        { pointer: '/version', matches: '^2\\.' },
        { pointer: '/maintenance', absent: true },
      ],
    });
    expect(passing.outcome).toBe('up');
    const failing = await check({ json: [{ pointer: '/regions/1/up', equals: true }, { pointer: '/regions/2', exists: true }] });
    expect(failing.error).toEqual({ code: 'ASSERTION_FAILED', message: 'json /regions/1/up equals true: found false (and 1 more condition(s) failed)' });
  });

  it('says so when a number comes as a string', async () => {
    api.answer({ body: health });
    const result = await check({ json: [{ pointer: '/checks/queue/depth', below: 100 }] });
    expect(result).toMatchObject({ reason: 'assertion', error: { message: 'json /checks/queue/depth below 100: found "17", not a number' } });
  });

  it('is down with invalid_json, naming where, when the body is not JSON', async () => {
    api.answer({ body: '<!DOCTYPE html><title>Maintenance</title>', headers: { 'content-type': 'text/html' } });
    const result = await check({ json });
    expect(result).toMatchObject({ outcome: 'down', reason: 'invalid_json', statusCode: 200 });
    expect(result.error).toEqual({ code: 'INVALID_JSON', message: 'body is not JSON: an unexpected character at position 0 (line 1, column 1)' });
  });

  it('is down with invalid_json for an empty body', async () => {
    api.answer({ body: '' });
    expect((await check({ json })).error).toEqual({ code: 'INVALID_JSON', message: 'body is empty, not JSON' });
  });

  it('judges a body at the cap in the worker, and a body beyond it is body_too_large, not invalid_json', async () => {
    const cap = 4 * 1024 * 1024;
    expect(cap).toBeGreaterThan(inlineJsonBytes);
    expect(await check({ path: `/big?bytes=${cap}`, maxBodyBytes: cap, json, timeoutMs: 30_000 })).toMatchObject({ outcome: 'up', bytesRead: cap });
    const failing = await check({ path: `/big?bytes=${cap}`, maxBodyBytes: cap, json: [{ pointer: '/pad', equals: 'x' }], timeoutMs: 30_000 });
    expect(failing).toMatchObject({ reason: 'assertion', error: { message: `json /pad equals "x": found "${'x'.repeat(64)}"…` } });
    const beyond = await check({ path: `/big?bytes=${cap + 1}`, maxBodyBytes: cap, json, timeoutMs: 30_000 });
    expect(beyond).toMatchObject({ outcome: 'down', reason: 'body_too_large', bytesRead: cap });
  }, 60_000);

  it('is down with invalid_json for a hostile body of 4 MiB of nesting, which neither JSON.parse nor the error\'s search overflows', async () => {
    const cap = 4 * 1024 * 1024;
    api.answer({ body: '['.repeat(cap) });
    const result = await check({ json, maxBodyBytes: cap, timeoutMs: 30_000 });
    expect(result).toMatchObject({ reason: 'invalid_json', bytesRead: cap, error: { message: `body is not JSON: the body ends early at position ${cap} (line 1, column ${cap + 1})` } });
  }, 60_000);

  it('checks the headers of the response: present, absent, equal, matching, repeated', async () => {
    api.answer({ body: health, headers: { 'content-type': 'application/json; charset=utf-8', 'x-cache': ['HIT', 'STALE'] } });
    const passing = await check({
      responseHeaders: [
        { name: 'Content-Type', matches: '^application/json' },
        { name: 'x-cache', present: true },
        { name: 'x-cache', equals: 'HIT, STALE' },
        { name: 'x-debug', absent: true },
      ],
    });
    expect(passing.outcome).toBe('up');
    const missing = await check({ responseHeaders: [{ name: 'x-request-id', present: true }] });
    expect(missing).toMatchObject({ reason: 'assertion', error: { code: 'ASSERTION_FAILED', message: 'header x-request-id present: found nothing' } });
    api.answer({ body: health, headers: { 'content-type': 'text/plain' } });
    const mismatched = await check({ responseHeaders: [{ name: 'content-type', matches: '^application/json' }], json });
    expect(mismatched.error).toEqual({ code: 'ASSERTION_FAILED', message: 'header content-type matches "^application/json": found "text/plain"' });
  });

  it('checks the headers of a HEAD request', async () => {
    api.answer({ body: health, headers: { 'content-type': 'application/json', etag: '"v1"' } });
    expect(await check({ method: 'HEAD', responseHeaders: [{ name: 'etag', equals: '"v1"' }] })).toMatchObject({ outcome: 'up' });
  });

  it('reports the first failing layer: the status, then the regexes, then the headers, then the JSON', async () => {
    api.answer({ body: { status: 'DOWN' }, status: 503 });
    expect(await check({ json })).toMatchObject({ reason: 'status', statusCode: 503 });
    api.answer({ body: { status: 'DOWN' }, headers: { 'content-type': 'text/plain' } });
    const regex = await check({ json, mustMatch: 'UP', responseHeaders: [{ name: 'content-type', equals: 'application/json' }] });
    expect(regex).toMatchObject({ reason: 'body_mismatch', regex: { mustMatch: { pattern: 'UP', matched: false } } });
    const header = await check({ json, responseHeaders: [{ name: 'content-type', equals: 'application/json' }] });
    expect(header.error?.message).toMatch(/^header content-type equals/);
  });

});
