// The JSON Schema files the package ships (schemas/), as a reader in another language uses
// them: loaded from disk into a draft 2020-12 validator (ajv's, standing in for any other),
// not through this package's codec. check-result.v1.0.json and v1.1.json are revisions 1.0
// and 1.1 as released: a result of a later revision passes them unless it uses what came
// after them (a new reason), which is why the readers (the consumers) are upgraded before
// the writers (the checkers).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { makeCheckResult } from '../testing.js';
import { failureReasons } from './check-result.js';
import { checkResultSchema } from './check-result.schema.js';
import { targetRecordSchema } from './target.schema.js';

const folder = path.resolve(import.meta.dirname, '../../schemas');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(folder, file), 'utf8')) as Record<string, unknown>;
/** A schema as its JSON file holds it. */
const asJson = (schema: object) => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
// ajv-formats is CommonJS with `exports.default`: take the plugin either way it arrives.
const addFormats = ((addFormatsPlugin as { default?: unknown }).default ?? addFormatsPlugin) as (ajv: Ajv2020) => Ajv2020;

/** A validator of the file, as another language's tooling would build it: its own instance, formats checked. */
function validatorOf(file: string) {
  return addFormats(new Ajv2020({ allErrors: true, strict: false })).compile(read(file));
}

type Reason = (typeof failureReasons)[number];
const errors: Partial<Record<Reason, { code: string; message: string }>> = {
  blocked: { code: 'EBLOCKED', message: 'address 10.0.0.5 of internal.test is in a blocked network (10.0.0.0/8)' },
  assertion: { code: 'ASSERTION_FAILED', message: 'json /status equals "UP": found "DOWN"' },
  invalid_json: { code: 'INVALID_JSON', message: 'body is not JSON: an unexpected character at position 0 (line 1, column 1)' },
};
const down = (reason: Reason) => makeCheckResult({ outcome: 'down', reason, statusCode: undefined, error: errors[reason] ?? { code: 'X', message: 'failed' } });

/** The frozen revisions, each with the reasons added after it. */
const frozenRevisions: [string, Reason[]][] = [
  ['check-result.v1.0.json', ['blocked', 'assertion', 'invalid_json']],
  ['check-result.v1.1.json', ['assertion', 'invalid_json']],
];

describe('the shipped JSON Schema files', () => {
  it('check-result.v1.json is checkResultSchema, and target-record.v1.json targetRecordSchema (tools/message-schemas.ts writes them)', () => {
    expect(read('check-result.v1.json')).toEqual(asJson(checkResultSchema));
    expect(read('target-record.v1.json')).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...asJson(targetRecordSchema) });
  });

  it('validate what the package writes, and refuse what it refuses', () => {
    const current = validatorOf('check-result.v1.json');
    expect(current(makeCheckResult())).toBe(true);
    for (const reason of failureReasons) expect(current(down(reason))).toBe(true);
    expect(current(makeCheckResult({ reason: 'dns' }))).toBe(false);
    expect(current({ ...makeCheckResult(), startedAt: 'yesterday' })).toBe(false);
    const record = validatorOf('target-record.v1.json');
    expect(record({ v: 1, id: 'shop', url: 'https://shop.test/', intervalMs: 30_000 })).toBe(true);
    expect(record({ v: 1, id: 'shop', url: 'https://shop.test/', interval: 30_000 })).toBe(false);
    const conditions = { json: [{ pointer: '/status', equals: 'UP' }], responseHeaders: [{ name: 'content-type', matches: '^application/json' }] };
    expect(record({ v: 1, id: 'api', url: 'https://api.test/health', ...conditions })).toBe(true);
    expect(record({ v: 1, id: 'api', url: 'https://api.test/health', json: [{ pointer: '/ms', below: 'x' }] })).toBe(false);
  });

  it.each(frozenRevisions)('%s, frozen: accepts a result of revision 1.2 that uses none of what came after it', (file, added) => {
    const frozen = validatorOf(file);
    const before = failureReasons.filter((reason) => !added.includes(reason));
    for (const result of [makeCheckResult(), makeCheckResult({ regex: { mustMatch: { pattern: 'UP', matched: true } } }), ...before.map(down)]) expect(frozen(result)).toBe(true);
  });

  it.each(frozenRevisions)('%s, frozen: refuses the reasons added after it, so the readers are upgraded before the checkers', (file, added) => {
    const frozen = validatorOf(file);
    for (const reason of added) {
      expect(frozen(down(reason))).toBe(false);
      expect(frozen.errors).toContainEqual(expect.objectContaining({ instancePath: '/reason', keyword: 'enum' }));
    }
  });
});
