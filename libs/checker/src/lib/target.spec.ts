import { describe, expect, it } from '@jest/globals';
import { isSitewatchError, targetSchema, targetSettingsSchema, type Problem } from '@sitewatch/schema';
import { checkerErrorCodes } from './errors.js';
import { compileTarget, compileTargets, type Target } from './target.js';

function problemsOf(compile: () => unknown): readonly Problem[] {
  try {
    compile();
  } catch (error) {
    if (!isSitewatchError(error, checkerErrorCodes)) throw error;
    expect(error).toMatchObject({ code: 'ERR_CHECKER_INVALID_TARGET', retriable: false });
    return error.problems;
  }
  throw new Error('expected compile to throw');
}

const site = { id: 'shop', url: 'https://shop.example.test/health' };

describe('compileTarget', () => {
  it('fills every default and freezes the result', () => {
    const target = compileTarget(site);
    expect(target).toEqual({
      ...site,
      method: 'GET',
      headers: {},
      intervalMs: 60_000,
      timeoutMs: 10_000,
      acceptStatus: ['200-399'],
      followRedirects: true,
      maxRedirects: 5,
      maxBodyBytes: 1_048_576,
      tlsVerify: true,
    });
    expect(Object.isFrozen(target)).toBe(true);
    expect(Object.isFrozen(target.headers)).toBe(true);
  });

  it('takes a setting from the target, then the defaults, then the built-in value', () => {
    const target = compileTarget({ ...site, timeoutMs: 2_000 }, { timeoutMs: 5_000, intervalMs: 30_000, tlsVerify: undefined });
    expect(target).toMatchObject({ timeoutMs: 2_000, intervalMs: 30_000, tlsVerify: true });
  });

  it('does not share the caller’s objects', () => {
    const headers = { 'x-token': 'a' };
    const target = compileTarget({ ...site, headers });
    headers['x-token'] = 'b';
    expect(target.headers['x-token']).toBe('a');
  });

  it('accepts a regex in RE2 syntax, with inline flags', () => {
    expect(compileTarget({ ...site, mustMatch: '(?i)^\\s*welcome', mustNotMatch: '\\berror\\b' }).mustMatch).toBe('(?i)^\\s*welcome');
  });

  it.each([
    ['a regex that does not compile', { mustMatch: '(unclosed' }, '/mustMatch', /^does not compile as an RE2 pattern: .*missing closing \)/],
    ['a backreference (not RE2)', { mustNotMatch: '(a)\\1' }, '/mustNotMatch', /^does not compile as an RE2 pattern: .*invalid escape/],
    ['a lookahead (not RE2)', { mustMatch: 'a(?=b)' }, '/mustMatch', /^does not compile as an RE2 pattern/],
    ['a malformed status range', { acceptStatus: ['200-299', '2xx'] }, '/acceptStatus/1', /^must match pattern/],
    ['a status range out of bounds', { acceptStatus: ['200-299', '500-699'] }, '/acceptStatus', /^"500-699" is outside 100-599$/],
    ['an empty status list', { acceptStatus: [] }, '/acceptStatus', /^must NOT have fewer than 1 items$/],
    ['a timeout longer than the interval', { intervalMs: 5_000, timeoutMs: 6_000 }, '/timeoutMs', /^must not exceed intervalMs \(5000\)$/],
    ['a non-http URL', { url: 'ftp://files.example.test/' }, '/url', /^must match pattern "\^https\?:\/\/"$/],
    ['a URL that does not parse', { url: 'https://' }, '/url', /^is not a valid URL$/],
    ['credentials in the URL', { url: 'https://user:pw@shop.example.test/' }, '/url', /^must not hold credentials/],
    ['an unknown setting', { timeout: 5 }, '/timeout', /^is not a known setting$/],
    ['a method other than GET or HEAD', { method: 'POST' }, '/method', /^must be one of: GET, HEAD$/],
    ['a regex with HEAD', { method: 'HEAD', mustMatch: 'ok' }, '/mustMatch', /^needs a body: use method GET$/],
    ['an interval below a second', { intervalMs: 500, timeoutMs: 100 }, '/intervalMs', /^must be >= 1000$/],
    ['a fractional timeout', { timeoutMs: 10.5 }, '/timeoutMs', /^must be integer$/],
    ['too many redirects', { maxRedirects: 50 }, '/maxRedirects', /^must be <= 20$/],
    ['a header value with a line break', { headers: { 'x-a': 'b\r\nx-injected: 1' } }, '/headers/x-a', /^must match pattern/],
    ['a bad header name', { headers: { 'bad name': 'x' } }, '/headers/bad name', /^name must match pattern/],
    ['an id with spaces', { id: 'my shop' }, '/id', /^must match pattern/],
    ['a string for a boolean', { tlsVerify: 'no' }, '/tlsVerify', /^must be boolean$/],
  ])('reports %s at its path', (_name, change, path, message) => {
    const problems = problemsOf(() => compileTarget({ ...site, ...change } as Target));
    expect(problems).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('never quotes a header value (it may be a secret)', () => {
    const problems = problemsOf(() => compileTarget({ ...site, headers: { authorization: 'Bearer s3cret\n' } }));
    expect(JSON.stringify(problems)).not.toContain('s3cret');
  });

  it('reports every problem at once, and required fields', () => {
    const problems = problemsOf(() => compileTarget({ id: 'x', mustMatch: '(', maxBodyBytes: 0 } as unknown as Target));
    expect(problems.map((p) => p.path).sort()).toEqual(['/maxBodyBytes', '/mustMatch', '/url']);
    expect(problems.find((p) => p.path === '/url')?.message).toBe('is required');
  });

  it('checks the timeout against an interval that comes from the defaults', () => {
    expect(problemsOf(() => compileTarget({ ...site, timeoutMs: 20_000 }, { intervalMs: 10_000 }))).toEqual([
      { path: '/timeoutMs', message: 'must not exceed intervalMs (10000)' },
    ]);
  });
});

describe('compileTargets', () => {
  it('compiles a list over shared defaults', () => {
    const targets = compileTargets([site, { id: 'blog', url: 'http://blog.example.test/', intervalMs: 120_000 }], { intervalMs: 30_000 });
    expect(targets.map((t) => [t.id, t.intervalMs])).toEqual([
      ['shop', 30_000],
      ['blog', 120_000],
    ]);
  });

  it('names problems by their place in the config section', () => {
    const problems = problemsOf(() => compileTargets([site, { id: 'shop', url: 'gopher://x' }, { id: 'c', url: 'http://c.test/', mustMatch: '[' }]));
    expect(problems).toEqual([
      { path: '/targets/1/url', message: 'must match pattern "^https?://"' },
      { path: '/targets/1/id', message: 'duplicates the id of target 0' },
      { path: '/targets/2/mustMatch', message: expect.stringMatching(/^does not compile as an RE2 pattern/) },
    ]);
  });

  it('reports bad defaults once, under /defaults', () => {
    expect(problemsOf(() => compileTarget(site, { mustMatch: '(' }))).toEqual([{ path: '/defaults/mustMatch', message: expect.stringMatching(/^does not compile/) }]);
    const problems = problemsOf(() => compileTargets([site, { id: 'b', url: 'http://b.test/' }], { timeoutMs: -1 }));
    expect(problems).toEqual([{ path: '/defaults/timeoutMs', message: 'must be >= 10' }]);
  });
});

const draft07Keywords = new Set(
  ['type', 'enum', 'const', 'default', 'description', 'properties', 'additionalProperties', 'required', 'propertyNames', 'items', 'minItems', 'maxItems']
    .concat(['minimum', 'maximum', 'minLength', 'maxLength', 'pattern']),
);

/** Every keyword of a schema object, down through properties, items and the like. */
function keywords(schema: object): string[] {
  return Object.entries(schema).flatMap(([key, value]) => {
    if (key === 'properties') return [key, ...Object.values(value as object).flatMap(keywords)];
    if (['items', 'additionalProperties', 'propertyNames'].includes(key) && typeof value === 'object') return [key, ...keywords(value as object)];
    return [key];
  });
}

describe('schemas', () => {
  it('use only draft-07 keywords that strict validators know', () => {
    const unknown = [...keywords(targetSettingsSchema), ...keywords(targetSchema)].filter((key) => !draft07Keywords.has(key));
    expect(unknown).toEqual([]);
  });

  it('carries the built-in defaults in the settings schema', () => {
    const defaults = Object.fromEntries(
      Object.entries(targetSettingsSchema.properties).flatMap(([key, value]) => ('default' in value ? [[key, value.default]] : [])),
    );
    const { id: _id, url: _url, headers: _headers, ...compiled } = compileTarget(site);
    expect(defaults).toEqual(compiled);
  });

  it('has no defaults in the target schema, so checker.defaults are not masked', () => {
    expect(JSON.stringify(targetSchema)).not.toContain('"default"');
    expect(targetSchema.required).toEqual(['id', 'url']);
    expect(Object.keys(targetSchema.properties).sort()).toEqual([...Object.keys(targetSettingsSchema.properties), 'id', 'url'].sort());
  });
});
