import { describe, expect, it } from '@jest/globals';
import { compileTarget } from '@sitewatch/checker';
import type { Target } from '@sitewatch/schema';
import { diffTargets, formatDiff, type CurrentTarget } from './diff.js';

const target = (id: string, settings: Partial<Target> = {}): Target => ({ id, url: `https://${id}.test/`, intervalMs: 30_000, ...settings });
const current = (...targets: Target[]) => new Map<string, CurrentTarget>(targets.map((t) => [t.id, { target: t, compiled: compileTarget(t) }]));

describe('diffTargets', () => {
  it('adds what is missing, changes what differs, removes what the file does not name, leaves the rest', () => {
    const now = current(target('same'), target('changed'), target('gone'), target('headers', { headers: { authorization: 'Bearer old' } }));
    const desired = [target('same'), target('changed', { intervalMs: 60_000, mustMatch: 'ok' }), target('new'), target('headers', { headers: { authorization: 'Bearer new' } })];
    const { changes, unchanged } = diffTargets(desired, now);
    expect(unchanged).toBe(1);
    expect(changes.map(({ kind, id, ...rest }) => [kind, id, 'fields' in rest ? rest.fields : undefined])).toEqual([
      ['change', 'changed', ['intervalMs', 'mustMatch']],
      ['remove', 'gone', undefined],
      ['change', 'headers', ['headers']],
      ['add', 'new', undefined],
    ]);
  });

  it('sees no change in the order of keys or of headers', () => {
    const written = { url: 'https://a.test/', id: 'a', headers: { b: '2', a: '1' } };
    expect(diffTargets([{ id: 'a', url: 'https://a.test/', headers: { a: '1', b: '2' } }], current(written as Target))).toEqual({ changes: [], unchanged: 1 });
  });

  it('sees a changed condition on the answer as a change of its list, and the same conditions with their keys in another order as none', () => {
    const json = [{ pointer: '/status', equals: 'UP' }];
    const now = current(target('api', { json, responseHeaders: [{ name: 'x-cache', present: true }] }));
    expect(diffTargets([target('api', { json: [{ equals: 'UP', pointer: '/status' }], responseHeaders: [{ present: true, name: 'x-cache' }] })], now)).toEqual({ changes: [], unchanged: 1 });
    const changed = diffTargets([target('api', { json: [{ pointer: '/status', equals: 'OK' }], responseHeaders: [{ name: 'x-cache', present: true }] })], now);
    expect(changed.changes).toEqual([expect.objectContaining({ kind: 'change', id: 'api', fields: ['json'] })]);
  });

  it('rewrites a record that is not a valid target, and removes one the file does not name', () => {
    const now = new Map<string, CurrentTarget>([
      ['broken', { invalid: 'ERR_SCHEMA_NOT_JSON' }],
      ['stray', { invalid: 'ERR_SCHEMA_UNSUPPORTED_VERSION' }],
    ]);
    expect(diffTargets([target('broken')], now).changes.map((change) => [change.kind, change.id])).toEqual([
      ['change', 'broken'],
      ['remove', 'stray'],
    ]);
  });
});

describe('formatDiff', () => {
  it('prints one line per change and the totals, never a header value', () => {
    const { changes, unchanged } = diffTargets([target('a', { headers: { authorization: 'Bearer secret-token' } }), target('b')], current(target('b', { intervalMs: 10_000 }), target('c')));
    const text = formatDiff(changes, unchanged, false);
    expect(text).toBe(['+ a https://a.test/', '~ b: intervalMs', '- c', '1 added, 1 changed, 1 removed, 0 unchanged'].join('\n'));
    expect(formatDiff(changes, unchanged, true)).toMatch(/\(dry run: nothing written\)$/);
    expect(text).not.toContain('secret-token');
  });
});
