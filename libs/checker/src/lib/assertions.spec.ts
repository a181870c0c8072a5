import { describe, expect, it } from '@jest/globals';
import { isSitewatchError, type Problem } from '@sitewatch/schema';
import { checkerErrorCodes } from './errors.js';
import { compileTarget, compileTargets, targetChecks, type Target } from './target.js';

function problemsOf(compile: () => unknown): readonly Problem[] {
  try {
    compile();
  } catch (error) {
    if (!isSitewatchError(error, checkerErrorCodes)) throw error;
    return error.problems;
  }
  throw new Error('expected compile to throw');
}

const site = { id: 'api', url: 'https://api.example.test/health' };

describe('conditions of a target', () => {
  it('compiles them, frozen, into checks named as the messages name them', () => {
    const target = compileTarget({
      ...site,
      json: [
        { pointer: '/status', equals: 'UP' },
        { pointer: '/a~1b/0', oneOf: ['eu', 'us'] },
      ],
      responseHeaders: [{ name: 'Content-Type', matches: '^application/json' }],
    });
    expect(target.json).toEqual([
      { pointer: '/status', equals: 'UP' },
      { pointer: '/a~1b/0', oneOf: ['eu', 'us'] },
    ]);
    expect(Object.isFrozen(target.json)).toBe(true);
    expect(Object.isFrozen(target.json![1]!.oneOf)).toBe(true);
    expect(Object.isFrozen(target.responseHeaders![0])).toBe(true);
    expect(targetChecks(target)).toEqual({
      json: [
        { label: 'json /status equals "UP"', operator: 'equals', operand: 'UP', tokens: ['status'] },
        { label: 'json /a~1b/0 oneOf ["eu", "us"]', operator: 'oneOf', operand: ['eu', 'us'], tokens: ['a/b', '0'] },
      ],
      headers: [{ label: 'header content-type matches "^application/json"', operator: 'matches', operand: '^application/json', name: 'content-type' }],
    });
  });

  it('has none unless given: a target without them compiles as before', () => {
    const target = compileTarget(site);
    expect(target).not.toHaveProperty('json');
    expect(targetChecks(target)).toEqual({});
  });

  it('takes them from the defaults, a target’s list replacing the defaults’ one', () => {
    const defaults = { responseHeaders: [{ name: 'x-served-by', present: true as const }] };
    const [inherits, replaces] = compileTargets([site, { ...site, id: 'b', responseHeaders: [{ name: 'x-cache', absent: true }] }], defaults);
    expect(inherits!.responseHeaders).toEqual([{ name: 'x-served-by', present: true }]);
    expect(replaces!.responseHeaders).toEqual([{ name: 'x-cache', absent: true }]);
  });

  it.each([
    ['a pointer without its leading /', { json: [{ pointer: 'status', equals: 'UP' }] }, '/json/0/pointer', /^is not a JSON Pointer: it must be empty \(the whole body\) or start with \/$/],
    ['a pointer with a bad escape', { json: [{ pointer: '/a~2', exists: true }] }, '/json/0/pointer', /^is not a JSON Pointer: ~ must be followed by 0 or 1/],
    ['a pattern RE2 refuses', { json: [{ pointer: '/v', matches: '(?<=2)\\.' }] }, '/json/0/matches', /^does not compile as an RE2 pattern/],
    ['a header pattern RE2 refuses', { responseHeaders: [{ name: 'etag', matches: '(' }] }, '/responseHeaders/0/matches', /^does not compile as an RE2 pattern: .*missing closing \)/],
    ['a number operator given a string', { json: [{ pointer: '/ms', below: 'x' }] }, '/json/0/below', /^must be number$/],
    ['an object to compare with', { json: [{ pointer: '/a', equals: { b: 1 } }] }, '/json/0/equals', /^must be string,number,boolean,null$/],
    ['exists: false', { json: [{ pointer: '/a', exists: false }] }, '/json/0/exists', /^must be equal to constant$/],
    ['an empty oneOf', { json: [{ pointer: '/a', oneOf: [] }] }, '/json/0/oneOf', /^must NOT have fewer than 1 items$/],
    ['two operators in one condition', { json: [{ pointer: '/ms', above: 0, below: 500 }] }, '/json/0', /^has 2 operators \(below, above\): give each its own condition$/],
    ['no operator', { json: [{ pointer: '/status' }] }, '/json/0', /^needs an operator: equals, notEquals, oneOf, below, above, matches, exists or absent$/],
    ['a header condition without an operator', { responseHeaders: [{ name: 'x-cache' }] }, '/responseHeaders/0', /^needs an operator: present, absent, equals or matches$/],
    ['an operator of the other kind', { responseHeaders: [{ name: 'x-cache', below: 3 }] }, '/responseHeaders/0/below', /^is not a known setting$/],
    ['a header name that is not a token', { responseHeaders: [{ name: 'x cache', present: true }] }, '/responseHeaders/0/name', /^must match pattern/],
    ['a condition without its pointer', { json: [{ equals: 'UP' }] }, '/json/0/pointer', /^is required$/],
    ['an empty list', { json: [] }, '/json', /^must NOT have fewer than 1 items$/],
    ['JSON conditions with HEAD', { method: 'HEAD', json: [{ pointer: '/status', equals: 'UP' }] }, '/json', /^needs a body: use method GET$/],
  ])('reports %s at its path', (_name, change, path, message) => {
    expect(problemsOf(() => compileTarget({ ...site, ...change } as Target))).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('reports every condition’s problems at once, by pointer into the config section', () => {
    const json = [{ pointer: '/ms', below: 'x' }, { pointer: 'status', equals: 'UP', notEquals: 'DOWN' }, { pointer: '/v', matches: '\\' }];
    const problems = problemsOf(() => compileTargets([site, { ...site, id: 'b', json } as unknown as Target], { responseHeaders: [{ name: 'etag' }] }));
    expect(problems).toEqual([
      { path: '/defaults/responseHeaders/0', message: expect.stringMatching(/^needs an operator/) },
      { path: '/targets/1/json/0/below', message: 'must be number' },
      { path: '/targets/1/json/1', message: 'has 2 operators (equals, notEquals): give each its own condition' },
      { path: '/targets/1/json/1/pointer', message: expect.stringMatching(/^is not a JSON Pointer/) },
      { path: '/targets/1/json/2/matches', message: expect.stringMatching(/^does not compile as an RE2 pattern/) },
    ]);
  });

  it('allows header conditions with HEAD', () => {
    expect(compileTarget({ ...site, method: 'HEAD', responseHeaders: [{ name: 'etag', present: true }] }).method).toBe('HEAD');
  });
});
