import { describe, expect, it } from '@jest/globals';
import type { HeaderCondition, JsonCondition } from '@sitewatch/schema';
import { judgeHeaders, testPattern } from './assertions.js';
import { jsonSyntaxError, judgeJson } from './conditions.js';
import { compileTarget, targetChecks } from './target.js';

const site = { id: 'api', url: 'https://api.example.test/health' };
const health = {
  status: 'UP',
  checks: { db: { status: 'UP', latencyMs: 12.5 }, cache: { status: 'DOWN', latencyMs: '450' } },
  version: '2.4.1',
  build: 2041,
  region: 'eu',
  items: [{ id: 'a' }, { id: 'b' }],
  maintenance: null,
  degraded: false,
  notes: 'x'.repeat(500),
};

/** The failure message of `condition` on `body` (JSON text, or a value to serialise); undefined when it holds. */
function judge(condition: JsonCondition, body: unknown = health): string | undefined {
  const { json } = targetChecks(compileTarget({ ...site, json: [condition] }));
  return judgeJson(typeof body === 'string' ? body : JSON.stringify(body), json!, testPattern)?.message;
}

describe('JSON conditions', () => {
  it.each<[string, JsonCondition]>([
    ['equals a string', { pointer: '/status', equals: 'UP' }],
    ['equals a number', { pointer: '/build', equals: 2041 }],
    ['equals false', { pointer: '/degraded', equals: false }],
    ['equals null', { pointer: '/maintenance', equals: null }],
    ['notEquals', { pointer: '/status', notEquals: 'DOWN' }],
    ['oneOf', { pointer: '/region', oneOf: ['eu', 'us'] }],
    ['below', { pointer: '/checks/db/latencyMs', below: 500 }],
    ['above', { pointer: '/build', above: 2000 }],
    ['matches', { pointer: '/version', matches: '^2\\.' }],
    ['exists, also for null', { pointer: '/maintenance', exists: true }],
    ['absent', { pointer: '/error', absent: true }],
    ['a nested pointer into an array', { pointer: '/items/1/id', equals: 'b' }],
    ['the whole document', { pointer: '', exists: true }],
  ])('%s: holds', (_name, condition) => {
    expect(judge(condition)).toBeUndefined();
  });

  it.each<[string, JsonCondition, string]>([
    ['equals', { pointer: '/checks/cache/status', equals: 'UP' }, 'json /checks/cache/status equals "UP": found "DOWN"'],
    ['equals: same digits, other type', { pointer: '/build', equals: '2041' }, 'json /build equals "2041": found 2041'],
    ['equals: nothing there', { pointer: '/state', equals: 'UP' }, 'json /state equals "UP": found nothing'],
    ['equals: an object', { pointer: '/checks', equals: 'UP' }, 'json /checks equals "UP": found an object of 2 member(s)'],
    ['notEquals', { pointer: '/checks/cache/status', notEquals: 'DOWN' }, 'json /checks/cache/status notEquals "DOWN": found "DOWN"'],
    ['notEquals: nothing there', { pointer: '/state', notEquals: 'DOWN' }, 'json /state notEquals "DOWN": found nothing'],
    ['oneOf', { pointer: '/region', oneOf: ['us', 'ap', 7] }, 'json /region oneOf ["us", "ap", 7]: found "eu"'],
    ['below', { pointer: '/build', below: 100 }, 'json /build below 100: found 2041'],
    ['below: a number written as a string', { pointer: '/checks/cache/latencyMs', below: 500 }, 'json /checks/cache/latencyMs below 500: found "450", not a number'],
    ['above: null', { pointer: '/maintenance', above: 0 }, 'json /maintenance above 0: found null, not a number'],
    ['matches', { pointer: '/version', matches: '^3\\.' }, 'json /version matches "^3\\.": found "2.4.1"'],
    ['matches: a number', { pointer: '/build', matches: '^2' }, 'json /build matches "^2": found 2041, not a string'],
    ['exists', { pointer: '/checks/queue', exists: true }, 'json /checks/queue exists: found nothing'],
    ['absent', { pointer: '/maintenance', absent: true }, 'json /maintenance absent: found null'],
    ['an array item past the end', { pointer: '/items/2/id', exists: true }, 'json /items/2/id exists: found nothing'],
    ['an array', { pointer: '/items', equals: 2 }, 'json /items equals 2: found an array of 2 item(s)'],
    ['the whole document', { pointer: '', equals: 'UP' }, 'json (the whole body) equals "UP": found an object of 9 member(s)'],
  ])('%s: fails, saying what it found', (_name, condition, message) => {
    expect(judge(condition)).toBe(message);
  });

  it('shows at most 64 characters of a string found', () => {
    expect(judge({ pointer: '/notes', equals: 'short' })).toBe(`json /notes equals "short": found "${'x'.repeat(64)}"…`);
  });

  it('names the first condition that fails and counts the others', () => {
    const { json } = targetChecks(compileTarget({ ...site, json: [{ pointer: '/status', equals: 'UP' }, { pointer: '/region', equals: 'us' }, { pointer: '/build', below: 1 }, { pointer: '/x', exists: true }] }));
    expect(judgeJson(JSON.stringify(health), json!, testPattern)).toEqual({
      code: 'ASSERTION_FAILED',
      message: 'json /region equals "us": found "eu" (and 2 more condition(s) failed)',
    });
  });

  it('fails with INVALID_JSON, naming the position and nothing of the body, when the body is not JSON', () => {
    const { json } = targetChecks(compileTarget({ ...site, json: [{ pointer: '/status', equals: 'UP' }] }));
    expect(judgeJson('<html>Service Unavailable</html>', json!, testPattern)).toEqual({
      code: 'INVALID_JSON',
      message: 'body is not JSON: an unexpected character at position 0 (line 1, column 1)',
    });
  });

  it('evaluates a JSON scalar body: a bare string, number or null', () => {
    expect(judge({ pointer: '', equals: 'OK' }, '"OK"')).toBeUndefined();
    expect(judge({ pointer: '', below: 1 }, '0.5')).toBeUndefined();
    expect(judge({ pointer: '/status', exists: true }, 'null')).toBe('json /status exists: found nothing');
  });
});

describe('header conditions', () => {
  const headers = { 'content-type': ['application/json; charset=utf-8'], 'x-cache': ['HIT'], vary: ['accept', 'origin'] };
  const judgeHeader = (condition: HeaderCondition) => judgeHeaders(targetChecks(compileTarget({ ...site, responseHeaders: [condition] })).headers!, headers)?.message;

  it.each<[string, HeaderCondition]>([
    ['present', { name: 'X-Cache', present: true }],
    ['absent', { name: 'x-debug', absent: true }],
    ['equals', { name: 'x-cache', equals: 'HIT' }],
    ['matches', { name: 'Content-Type', matches: '^application/json' }],
    ['a repeated header, its values joined', { name: 'vary', equals: 'accept, origin' }],
  ])('%s: holds', (_name, condition) => {
    expect(judgeHeader(condition)).toBeUndefined();
  });

  it.each<[string, HeaderCondition, string]>([
    ['present', { name: 'X-Request-Id', present: true }, 'header x-request-id present: found nothing'],
    ['absent', { name: 'x-cache', absent: true }, 'header x-cache absent: found "HIT"'],
    ['equals, which is case-sensitive', { name: 'x-cache', equals: 'hit' }, 'header x-cache equals "hit": found "HIT"'],
    ['matches', { name: 'content-type', matches: '^text/html' }, 'header content-type matches "^text/html": found "application/json; charset=utf-8"'],
    ['equals, missing', { name: 'etag', equals: 'x' }, 'header etag equals "x": found nothing'],
  ])('%s: fails, saying what it found', (_name, condition, message) => {
    expect(judgeHeader(condition)).toBe(message);
  });
});

describe('jsonSyntaxError', () => {
  it.each([
    ['<html><body>Down for maintenance</body></html>', 'an unexpected character at position 0 (line 1, column 1)'],
    ['{"status": "UP",}', 'an unexpected character at position 16 (line 1, column 17)'],
    ['{"status": "UP"} trailing', 'more after the JSON value at position 17 (line 1, column 18)'],
    ['{\n  "status": UP\n}', 'an unexpected character at position 14 (line 2, column 13)'],
    ['[1, 2, tru]', 'an unexpected character at position 7 (line 1, column 8)'],
    ['[1, 2,]', 'an unexpected character at position 6 (line 1, column 7)'],
    ['{"a" 1}', 'an unexpected character at position 5 (line 1, column 6)'],
    ['{"a": "line\nbreak"}', 'a string that is not valid (unterminated, a control character or a bad escape) at position 6 (line 1, column 7)'],
    ['["\\x"]', 'a string that is not valid (unterminated, a control character or a bad escape) at position 1 (line 1, column 2)'],
    ['{"a": [1, 2', 'the body ends early at position 11 (line 1, column 12)'],
    ['"unterminated', 'a string that is not valid (unterminated, a control character or a bad escape) at position 0 (line 1, column 1)'],
    ['01', 'more after the JSON value at position 1 (line 1, column 2)'],
    ['{"a": 1}}', 'more after the JSON value at position 8 (line 1, column 9)'],
    ["{'a': 1}", 'an unexpected character at position 1 (line 1, column 2)'],
    ['NaN', 'an unexpected character at position 0 (line 1, column 1)'],
  ])('%j: %s', (text, where) => {
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
    expect(jsonSyntaxError(text)).toBe(`body is not JSON: ${where}`);
  });

  it('says an empty body is empty', () => {
    for (const text of ['', ' \n\t ']) expect(jsonSyntaxError(text)).toBe('body is empty, not JSON');
  });

  it('quotes nothing of the body', () => {
    const text = `{"token": "s3cr3t-value", "rest": ${'x'.repeat(100)}}`;
    expect(jsonSyntaxError(text)).not.toMatch(/s3cr3t|xxx/);
  });

  it('finds an error deep inside a large, deeply nested body without running out of stack', () => {
    const depth = 200_000;
    const text = `${'['.repeat(depth)}1,}${']'.repeat(depth)}`;
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
    expect(jsonSyntaxError(text)).toBe(`body is not JSON: an unexpected character at position ${depth + 2} (line 1, column ${depth + 3})`);
  });

  it('reads a long string with escapes in one pass', () => {
    const text = `["${'a\\n'.repeat(1_000_000)}", x]`;
    expect(jsonSyntaxError(text)).toBe(`body is not JSON: an unexpected character at position ${text.length - 2} (line 1, column ${text.length - 1})`);
  });
});
