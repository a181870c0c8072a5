import { describe, expect, it } from '@jest/globals';
import { valueAt } from './conditions.js';
import { parsePointer } from './json-pointer.js';

const at = (document: unknown, pointer: string) => valueAt(document, (parsePointer(pointer) as { tokens: string[] }).tokens);

describe('JSON Pointer (RFC 6901)', () => {
  // RFC 6901 section 5: the document, and what each pointer evaluates to.
  const rfc = { foo: ['bar', 'baz'], '': 0, 'a/b': 1, 'c%d': 2, 'e^f': 3, 'g|h': 4, 'i\\j': 5, 'k"l': 6, ' ': 7, 'm~n': 8 };

  it.each([
    ['', rfc],
    ['/foo', ['bar', 'baz']],
    ['/foo/0', 'bar'],
    ['/', 0],
    ['/a~1b', 1],
    ['/c%d', 2],
    ['/e^f', 3],
    ['/g|h', 4],
    ['/i\\j', 5],
    ['/k"l', 6],
    ['/ ', 7],
    ['/m~0n', 8],
  ])('finds the examples of section 5: %j', (pointer, value) => {
    expect(at(rfc, pointer)).toEqual({ value });
  });

  it('unescapes ~1 before ~0, so ~01 is the token ~1', () => {
    expect(parsePointer('/~01')).toEqual({ tokens: ['~1'] });
    expect(at({ '~1': 'tilde one', '/': 'slash' }, '/~01')).toEqual({ value: 'tilde one' });
  });

  it('indexes arrays by digits without leading zeros, below the length', () => {
    const document = { items: [{ id: 'a' }, { id: 'b', tags: ['x', null] }] };
    expect(at(document, '/items/1/id')).toEqual({ value: 'b' });
    expect(at(document, '/items/1/tags/1')).toEqual({ value: null });
    for (const pointer of ['/items/2', '/items/01', '/items/-1', '/items/1.0', '/items/ 1', '/items/id']) expect(at(document, pointer)).toBeUndefined();
  });

  it('points at nothing with -, the element after the last (section 4: an error to read)', () => {
    expect(at({ list: [1, 2] }, '/list/-')).toBeUndefined();
  });

  it('finds only own members: nothing inherited, nothing inside a scalar', () => {
    const document = JSON.parse('{"__proto__": {"polluted": true}, "name": "x", "n": 5}') as unknown;
    expect(at(document, '/__proto__/polluted')).toEqual({ value: true });
    expect(at(document, '/toString')).toBeUndefined();
    expect(at(document, '/constructor')).toBeUndefined();
    expect(at(document, '/name/length')).toBeUndefined();
    expect(at(document, '/n/0')).toBeUndefined();
    expect(at(null, '/a')).toBeUndefined();
  });

  it('tells a null that is there from nothing', () => {
    expect(at({ maintenance: null }, '/maintenance')).toEqual({ value: null });
    expect(at({}, '/maintenance')).toBeUndefined();
  });

  it.each([
    ['status', /must be empty \(the whole body\) or start with \//],
    ['#/status', /must be empty/],
    ['/a~2b', /~ must be followed by 0 or 1/],
    ['/a~', /~ must be followed by 0 or 1/],
    ['/~/x', /~ must be followed by 0 or 1/],
  ])('refuses %j, saying why', (pointer, message) => {
    expect(parsePointer(pointer)).toEqual({ problem: expect.stringMatching(message) });
  });
});
