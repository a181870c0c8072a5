// decode() against hostile input: any bytes, any JSON, and valid CheckResults mutated at
// random (a field deleted, a value of another type, a huge number, odd unicode, nested
// garbage, unknown fields, the JSON text itself damaged). It must never throw; a refusal
// carries a code of this package and a message; an acceptance is a valid result that
// encode() writes back to the same value. A fixed seed keeps a failure reproducible.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { failureReasons, schemaVersion, type CheckResult } from './check-result.js';
import { decode, encode, maxMessageBytes, validateCheckResult, type DecodeResult } from './codec.js';
import { isSitewatchError, schemaErrorCodes } from './errors.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const runs = { numRuns: 300, seed: 20_251_127 };

/** What every answer of decode() must look like; returns whether it accepted the message. */
function expectWellFormed(answer: DecodeResult): boolean {
  if (!answer.ok) {
    expect(isSitewatchError(answer.error, schemaErrorCodes)).toBe(true);
    expect(schemaErrorCodes).toContain(answer.error.code);
    expect(answer.error.retriable).toBe(false);
    expect(answer.error.message).toMatch(/\S/);
    return false;
  }
  expect(validateCheckResult(answer.value)).toEqual({ ok: true, value: answer.value });
  const bytes = encode(answer.value);
  const again = decode(bytes);
  // JSON has no -0: the one value that comes back different (as 0), and equal as a number.
  expect(again).toEqual({ ok: true, value: JSON.parse(JSON.stringify(answer.value)) as unknown });
  expect(encode((again as { value: CheckResult }).value)).toEqual(bytes);
  return true;
}

/** decode() of `input`, failing the property (rather than the run) if it throws. */
function decodeSafely(input: Parameters<typeof decode>[0]): DecodeResult {
  let answer: DecodeResult | undefined;
  expect(() => (answer = decode(input))).not.toThrow();
  return answer!;
}

const ms = fc.double({ min: 0, max: 3_600_000, noNaN: true });
const instant = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());
const pattern = fc.record({ pattern: fc.string({ minLength: 1, maxLength: 40 }), matched: fc.boolean() });

/** Valid CheckResults of every shape: up or down with each reason, optional parts present or not. */
const checkResults: fc.Arbitrary<CheckResult> = fc
  .record(
    {
      id: fc.uuid({ version: 7 }),
      targetId: fc.string({ minLength: 1, maxLength: 128 }),
      url: fc.constantFrom('http', 'https').chain((scheme) => fc.webPath({ size: 'small' }).map((path) => `${scheme}://site-${path.length}.example.test${path}`)),
      probeId: fc.string({ minLength: 1, maxLength: 128 }),
      scheduledAt: instant,
      startedAt: instant,
      reason: fc.option(fc.constantFrom(...failureReasons), { nil: undefined }),
      statusCode: fc.integer({ min: 100, max: 599 }),
      responseTimeMs: ms,
      phases: fc.record({ dnsMs: ms, tcpMs: ms, tlsMs: ms, ttfbMs: ms, downloadMs: ms }, { requiredKeys: [] }),
      regex: fc.record({ mustMatch: pattern, mustNotMatch: pattern }, { requiredKeys: [] }),
      tlsNotAfter: instant,
      bytesRead: fc.nat(),
      redirects: fc.nat({ max: 20 }),
      error: fc.record({ code: fc.string({ minLength: 1, maxLength: 64 }), message: fc.string({ maxLength: 200 }) }),
    },
    { requiredKeys: ['id', 'targetId', 'url', 'probeId', 'scheduledAt', 'startedAt', 'reason', 'responseTimeMs', 'phases', 'bytesRead', 'redirects'] },
  )
  .map(({ reason, ...rest }) => {
    const outcome: CheckResult['outcome'] = reason === undefined ? 'up' : 'down';
    return { v: schemaVersion, ...rest, outcome, ...(reason === undefined ? {} : { reason }) };
  });

const oddStrings = fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff\ud800', '\u202e\u202d', '💥'.repeat(50), 'é'.repeat(2000), 'x'.repeat(70_000), '{"v":1}', 'null', '-1', '1e999');
const oddNumbers = fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, Number.MIN_VALUE, -1, -0, 0.5, 2 ** 64, 999, 1000);
const garbage: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  oddStrings,
  oddNumbers,
  fc.integer({ min: 1, max: 64 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as Json),
);

/** Every path (keys from the root) to a value inside `value`, the root included. */
function paths(value: Json, at: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [at];
  return [at, ...Object.entries(value).flatMap(([key, child]) => paths(child, [...at, key]))];
}

interface Mutation {
  kind: 'delete' | 'replace' | 'wrap' | 'add-field';
  at: number;
  key: string;
  value: Json;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<Mutation['kind'][]>('delete', 'replace', 'wrap', 'add-field'),
  at: fc.nat(),
  key: fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'v', 'id', 'outcome', 'reason', '')),
  value: garbage,
});

/** Applies `m` to a copy of `base`. */
function mutate(base: Json, m: Mutation): Json {
  const copy = structuredClone(base);
  const all = paths(copy);
  const path = all[m.at % all.length]!;
  if (path.length === 0) return m.kind === 'replace' ? m.value : m.kind === 'wrap' ? [copy] : copy;
  const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string, Json>)[key]!, copy) as Record<string, Json>;
  const key = path.at(-1)!;
  if (m.kind === 'delete') delete parent[key];
  else if (m.kind === 'replace') parent[key] = m.value;
  else if (m.kind === 'wrap') parent[key] = { [m.key]: parent[key]! };
  else if (parent[key] !== null && typeof parent[key] === 'object' && !Array.isArray(parent[key])) {
    // defineProperty, so that `__proto__` becomes a field rather than the prototype.
    Object.defineProperty(parent[key], m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  } else Object.defineProperty(parent, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Valid results with one to four mutations. */
const mutatedResults = fc
  .tuple(checkResults, fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([result, mutations]) => mutations.reduce<Json>((value, m) => mutate(value, m), result as unknown as Json));

/** Damage done to the JSON text: cut it short, overwrite a byte, or splice text in. */
const textDamage = fc.record({
  kind: fc.constantFrom('truncate', 'flip', 'splice'),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
  text: fc.constantFrom('1e999', '-0', ',', '"', '\\', '\\u0000', 'NaN', '}', ']]', '\u2028', '\ud83d'),
});

describe('decode() fuzzed', () => {
  it('accepts every generated valid result unchanged (the generator is sound)', () => {
    fc.assert(
      fc.property(checkResults, (result) => {
        expect(decodeSafely(encode(result))).toEqual({ ok: true, value: result });
      }),
      runs,
    );
  });

  it('never throws on arbitrary bytes, and refuses them with a code and a reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        expectWellFormed(decodeSafely(bytes));
      }),
      runs,
    );
  });

  it('never throws on arbitrary text, given as a string or as bytes at an offset in a larger buffer', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), fc.nat({ max: 16 }), (text, offset) => {
        const bytes = Buffer.from(' '.repeat(offset) + text + '}').subarray(offset, offset + Buffer.byteLength(text));
        expect(expectWellFormed(decodeSafely(text))).toBe(expectWellFormed(decodeSafely(bytes)));
      }),
      runs,
    );
  });

  it('never throws on any JSON value, and refuses all but CheckResults', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        expect(expectWellFormed(decodeSafely(JSON.stringify(value)))).toBe(false);
      }),
      runs,
    );
  });

  it('answers every mutated result with a valid result or a coded refusal', () => {
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(mutatedResults, (value) => {
        const text = JSON.stringify(value);
        const accepted = expectWellFormed(decodeSafely(text));
        seen[accepted ? 'accepted' : 'refused'] += 1;
        if (Buffer.byteLength(text) > maxMessageBytes) expect(accepted).toBe(false);
      }),
      { ...runs, numRuns: 400 },
    );
    // Both answers occur: an unknown field keeps a result valid, most mutations do not.
    expect(seen.accepted).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(200);
  });

  it('never throws on a valid result whose JSON text is damaged', () => {
    fc.assert(
      fc.property(checkResults, textDamage, (result, damage) => {
        const bytes = encode(result);
        const at = damage.at % bytes.length;
        let damaged: Buffer;
        if (damage.kind === 'truncate') damaged = bytes.subarray(0, at);
        else if (damage.kind === 'flip') damaged = Buffer.from(bytes).fill(damage.byte, at, at + 1);
        else damaged = Buffer.concat([bytes.subarray(0, at), Buffer.from(damage.text), bytes.subarray(at)]);
        expectWellFormed(decodeSafely(damaged));
      }),
      runs,
    );
  });

  it('refuses a too deeply nested message with a code rather than overflowing the stack', () => {
    // Just under the size cap, so that it is parsed.
    const depth = Math.floor(maxMessageBytes / 2) - 1;
    expect(expectWellFormed(decodeSafely('['.repeat(depth) + ']'.repeat(depth)))).toBe(false);
    const nested = `{"v":1,"phases":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    expect(expectWellFormed(decodeSafely(nested))).toBe(false);
  });
});
