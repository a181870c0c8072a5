// Validation of options and config files against JSON Schemas (draft-07) with ajv: one
// set-up for every library and the config loader, so a value gets the same problems, at the
// same JSON Pointers and with the same messages, wherever it is checked.
import fs from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { isDateTime } from './date-time-format.js';
import type { Problem } from './errors.js';

/** A JSON Schema (draft-07 keywords). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** A string at a place its schema marks `secret: true` (or `'maybe'`), and that place (a JSON Pointer). */
export interface SecretValue {
  path: string;
  value: string;
  /** Marked `secret: 'maybe'`: a value that may or may not be a credential (a header's), scrubbed only when long enough to be one. */
  maybe?: boolean;
}

/** A validated value (a copy, defaults filled in) and what is wrong with it: nothing when `problems` is empty. */
export interface Validation<T> {
  value: T;
  problems: Problem[];
  /** The strings at the places the schema marks `secret: true` (credentials, to be kept out of any output), where validation went. */
  secrets: SecretValue[];
}

// ajv-formats is CommonJS with `exports.default`: take the plugin either way it arrives.
const addFormats = ((addFormatsPlugin as { default?: unknown }).default ?? addFormatsPlugin) as (ajv: Ajv) => Ajv;

/**
 * An ajv instance as sitewatch uses it: strict, every error (not only the first), errors
 * with their schema (to word them), the keyword `typeof` (`{ typeof: 'function' }`) for
 * options only code can pass (callbacks, a logger), and the annotation `secret: true` for a
 * setting whose value is a credential (compileOptions() returns the strings found there, with
 * the branches validation took: a channel kind's `then` only for that kind). `firstError`: stop at the first error
 * and keep no schema with it, for a hot path that only asks "valid or not" (about 20% faster
 * on a CheckResult) and asks an instance without it for the problems of an invalid value.
 */
export function createAjv({ useDefaults, firstError = false }: { useDefaults: boolean; firstError?: boolean }): Ajv {
  const ajv = addFormats(new Ajv({ allErrors: !firstError, verbose: !firstError, useDefaults, strict: true, strictRequired: false, allowUnionTypes: true, passContext: true }));
  // The same answers as ajv-formats' date-time, at a third of its cost (date-time-format.ts).
  ajv.addFormat('date-time', { ...(ajv.formats['date-time'] as object), type: 'string', validate: isDateTime });
  ajv.addKeyword({ keyword: 'typeof', schemaType: 'string', errors: false, validate: (type: string, data: unknown) => data !== null && typeof data === type });
  ajv.addKeyword({ keyword: 'secret', schemaType: ['boolean', 'string'], errors: false, validate: collectSecret });
  return ajv;
}

/** What compileOptions() passes its validators as `this` (ajv's `passContext`): where `secret: true` puts the strings it meets. */
interface ValidationContext {
  secrets?: SecretValue[];
}

function collectSecret(this: ValidationContext | undefined, isSecret: boolean | 'maybe', data: unknown, _schema?: unknown, where?: { instancePath: string }): boolean {
  if (isSecret !== false && typeof data === 'string' && Array.isArray(this?.secrets)) {
    this.secrets.push({ path: where?.instancePath ?? '', value: data, ...(isSecret === 'maybe' ? { maybe: true } : {}) });
  }
  return true;
}

/** The JSON Pointer of `key` inside the value at pointer `parent` (RFC 6901: `~` and `/` escaped). */
export function pointer(parent: string, key: unknown): string {
  return `${parent}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** The problem one ajv error stands for. */
function describe(error: ErrorObject): Problem {
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) return { path: pointer(error.instancePath, error.propertyName), message: `name ${error.message ?? 'is invalid'}` };
  switch (error.keyword) {
    case 'required':
      return { path: pointer(error.instancePath, params.missingProperty), message: 'is required' };
    case 'additionalProperties':
      return { path: pointer(error.instancePath, params.additionalProperty), message: 'is not a known setting' };
    case 'enum':
      return { path: error.instancePath, message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'typeof':
      return { path: error.instancePath, message: `must be a ${String(error.schema)}` };
    default:
      return { path: error.instancePath, message: error.message ?? 'is invalid' };
  }
}

/** A failed whenPresent() rule: its message, at the property that brought it into play. */
function describeRule(error: ErrorObject): Problem | undefined {
  const rule = error.parentSchema as { if?: { required?: unknown[] }; then?: { description?: unknown } } | undefined;
  const property = rule?.if?.required?.[0];
  const message = rule?.then?.description;
  return typeof property === 'string' && typeof message === 'string' ? { path: pointer(error.instancePath, property), message } : undefined;
}

const within = (error: ErrorObject, parent: ErrorObject, schemaPath: string) =>
  error.schemaPath.startsWith(`${schemaPath}/`) && (error.instancePath === parent.instancePath || error.instancePath.startsWith(`${parent.instancePath}/`));

/**
 * ajv's errors as problems, worded for people: a failed whenPresent() rule is one problem
 * with its own message; an `anyOf` of types (`true`, or an object) is one problem naming
 * them, unless the value has one of the types, when the errors inside it are the news.
 */
export function problemsOf(errors: readonly ErrorObject[]): Problem[] {
  const rules = errors.filter((e) => e.keyword === 'if');
  const choices = errors.filter((e) => e.keyword === 'anyOf');
  const dropped = new Set<ErrorObject>();
  const problems: Problem[] = [];
  for (const rule of rules) {
    const problem = describeRule(rule);
    if (problem === undefined) continue; // a plain if/then: the errors inside `then` say it
    const root = rule.schemaPath.replace(/\/if$/, '');
    for (const error of errors) if (within(error, rule, `${root}/then`)) dropped.add(error);
    problems.push(problem);
  }
  for (const choice of choices) {
    const options = errors.filter((e) => within(e, choice, choice.schemaPath));
    const typeErrors = options.filter((e) => e.keyword === 'type' && e.instancePath === choice.instancePath);
    for (const error of typeErrors) dropped.add(error);
    if (typeErrors.length === options.length) {
      const types = typeErrors.map((e) => (e.params as { type: string }).type);
      problems.push({ path: choice.instancePath, message: `must be ${types.join(' or ')}` });
    }
  }
  for (const error of errors) {
    if (error.keyword === 'if' || error.keyword === 'anyOf' || error.keyword === 'propertyNames' || dropped.has(error)) continue;
    problems.push(describe(error));
  }
  return problems.filter((p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i);
}

/**
 * A rule across the properties of an object, in plain JSON Schema (`if`/`then`): when
 * `property` is present, the object must also match `then`. A failure is one problem,
 * `message`, at `property` (e.g. `/kafka/sasl: needs tls: ...`). Put several in an `allOf`.
 */
export function whenPresent(property: string, then: JsonSchema, message: string): JsonSchema {
  return { if: { type: 'object', required: [property] }, then: { ...then, description: message } };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null);

/** A copy of the data in `value` (plain objects and arrays); anything else, and options declared with `typeof`, as they are. */
function copyData(value: unknown, schema?: JsonSchema): unknown {
  if (Array.isArray(value)) return value.map((item) => copyData(item));
  if (!isPlainObject(value)) return value;
  const properties = (schema?.properties ?? {}) as Record<string, JsonSchema | undefined>;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, properties[key]?.typeof === undefined ? copyData(item) : item]));
}

const ajv = createAjv({ useDefaults: true });
const validators = new WeakMap<JsonSchema, (value: unknown) => Validation<unknown>>();

/**
 * Compiles `schema` (once per schema object) into a validator that checks a copy of a value,
 * fills in the schema's defaults, and reports every problem by JSON Pointer, and the strings
 * at places marked `secret: true`. The value given is never changed (it may be frozen).
 */
export function compileOptions<T>(schema: JsonSchema): (value: unknown) => Validation<T> {
  let validator = validators.get(schema);
  if (validator === undefined) {
    const validate = ajv.compile(schema);
    validator = (value) => {
      const copy = copyData(value, schema);
      const context: ValidationContext = { secrets: [] };
      const problems = validate.call(context, copy) ? [] : problemsOf(validate.errors ?? []);
      return { value: copy, problems, secrets: context.secrets! };
    };
    validators.set(schema, validator);
  }
  return validator as (value: unknown) => Validation<T>;
}

/**
 * The problems with their paths moved: the longest prefix in `moves` that a path starts with
 * (a whole segment: `/topic` moves `/topic`, not `/topics`; `''` moves every path) becomes its
 * value. E.g. `{ '': '/producer', '/connection': '/kafka' }` for options taken from a config file.
 */
export function relocateProblems(problems: readonly Problem[], moves: Readonly<Record<string, string>>): Problem[] {
  const prefixes = Object.keys(moves).sort((a, b) => b.length - a.length);
  return problems.map((problem) => {
    const prefix = prefixes.find((p) => p === '' || problem.path === p || problem.path.startsWith(`${p}/`));
    return prefix === undefined ? problem : { ...problem, path: `${moves[prefix]}${problem.path.slice(prefix.length)}` };
  });
}

/** Whether `text` holds a PEM block (certificates or a key): a "-----BEGIN" line. */
export function isPem(text: string): boolean {
  return text.includes('-----BEGIN ');
}

/**
 * The text of a PEM file an option names (a CA, a certificate, a key), or the problem to report
 * at `path`: unreadable, or not PEM. It names the file, never what is in it (it may be a key).
 */
export function readPemFile(file: string, path: string): { text: string } | { problem: Problem } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (cause) {
    return { problem: { path, message: `cannot read ${file} (${(cause as NodeJS.ErrnoException).code ?? 'error'})` } };
  }
  return isPem(text) ? { text } : { problem: { path, message: `${file} is not PEM (no "-----BEGIN" line)` } };
}
