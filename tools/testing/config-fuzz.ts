// Malformed config files for fuzz tests: a valid config with one to three mutations at
// random places (a wrong type, a missing key, an unknown key, a huge value, odd unicode),
// and the check every app's config loading must pass against them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from '@jest/globals';
import { isSitewatchError } from '@sitewatch/schema';
import { reportStartupError, serviceErrorCodes } from '@sitewatch/service';
import fc from 'fast-check';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path (list of keys and indexes) to a value inside `value`, the root included. */
function paths(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const children = Array.isArray(value)
    ? value.flatMap((item, i) => paths(item, [...at, i]))
    : value !== null && typeof value === 'object'
      ? Object.entries(value).flatMap(([key, item]) => paths(item, [...at, key]))
      : [];
  return [at, ...children];
}

const oddStrings = fc.constantFrom('', ' ', '\u0000', '\u202e\u202d', '💥'.repeat(50), 'x'.repeat(100_000), '${env:', '${file:/nonexistent}', '\ud800', '0x10', 'null', '-1');
const hugeNumbers = fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -1, 0, 0.5, 2 ** 53, -0);
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, oddStrings, hugeNumbers);

/** One mutation: where (an index into the paths) and what. */
interface Mutation {
  at: number;
  kind: 'replace' | 'delete' | 'add-key' | 'huge' | 'odd-string' | 'wrap-in-array';
  value: Json;
  key: string;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom<Mutation['kind'][]>('replace', 'delete', 'add-key', 'huge', 'odd-string', 'wrap-in-array'),
  value: anyJson,
  key: fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), oddStrings.filter((s) => s.length > 0 && s.length < 64)),
});

function apply(base: Json, m: Mutation): Json {
  const copy = structuredClone(base);
  const all = paths(copy);
  const path = all[m.at % all.length]!;
  if (path.length === 0) return m.kind === 'replace' ? m.value : copy;
  const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string, Json>)[key]!, copy) as Record<string | number, Json>;
  const key = path[path.length - 1]!;
  switch (m.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case 'add-key':
      if (parent[key] !== null && typeof parent[key] === 'object' && !Array.isArray(parent[key])) (parent[key] as Record<string, Json>)[m.key] = m.value;
      else parent[key] = { [m.key]: m.value };
      break;
    case 'huge':
      parent[key] = typeof parent[key] === 'string' ? 'x'.repeat(100_000) : 1e308;
      break;
    case 'odd-string':
      parent[key] = typeof m.value === 'string' ? m.value : '\u202e💥\u0000';
      break;
    case 'wrap-in-array':
      parent[key] = [parent[key]!];
      break;
    default:
      parent[key] = m.value;
  }
  return copy;
}

/** Configs made from `base` by one to three random mutations; most are invalid, a few may not be. */
export function mutatedConfigs(base: object): fc.Arbitrary<unknown> {
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => mutations.reduce<Json>(apply, base as Json));
}

/**
 * Writes `runs` configs made from `base` to a file and loads each: every one must load, or be
 * refused with a config error (ERR_SERVICE_CONFIG) that lists its problems and reports as
 * exit code 2 without a stack trace; any other error fails. Returns how many were refused.
 * Seeded, so a failure found in CI is found again on a laptop.
 */
export function expectOnlyConfigErrors(load: (file: string) => unknown, base: object, options: { runs?: number; seed?: number } = {}): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-fuzz-'));
  try {
    return fuzzConfigs(load, base, path.join(dir, 'config.json'), options);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function fuzzConfigs(load: (file: string) => unknown, base: object, file: string, { runs = 300, seed = 20261127 }): number {
  let refused = 0;
  fc.assert(
    fc.property(mutatedConfigs(base), (config) => {
      fs.writeFileSync(file, JSON.stringify(config));
      try {
        load(file);
      } catch (error) {
        if (!isSitewatchError(error, serviceErrorCodes) || error.code !== 'ERR_SERVICE_CONFIG') throw error;
        refused += 1;
        expect(error.problems.length).toBeGreaterThan(0);
        for (const problem of error.problems) expect(problem.message).toMatch(/\S/);
        let output = '';
        expect(reportStartupError(error, [], { write: (text: string) => (output += text) })).toBe(2);
        expect(output).not.toMatch(/^\s+at /m);
      }
    }),
    { numRuns: runs, seed },
  );
  return refused;
}
