import { schemaVersion, type CheckResult } from './check-result.js';
import { checkResultSchema } from './check-result.schema.js';
import { SchemaError } from './errors.js';
import { createAjv, problemsOf } from './validation.js';

/** Kafka header (or any envelope field) that carries the message's schema major version. */
export const schemaVersionHeader = 'sitewatch-schema-version';

/** A CheckResult is well under 8 KiB, a target record too; anything this large is not one, and is not parsed. */
export const maxMessageBytes = 64 * 1024;

const schema = { ...checkResultSchema, $schema: undefined };
// Every message is checked by `isValid`, which stops at the first error; only an invalid
// one goes through `validate` again, which collects every problem for the dead letter.
const isValid = createAjv({ useDefaults: false, firstError: true }).compile<CheckResult>(schema);
const validate = createAjv({ useDefaults: false }).compile<CheckResult>(schema);

/** A decoder's answer: the value, or why the bytes are not one. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: SchemaError };

/** `decode()`'s answer: the result, or why the bytes are not one. Never throws. */
export type DecodeResult = Decoded<CheckResult>;

/** The error for a value of a newer major version than `version`, or undefined. */
export function newerVersion(value: unknown, version: number, what: string): SchemaError | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = (value as { v?: unknown }).v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= version) return undefined;
  const message = `schema version ${v} is newer than the supported ${version}; upgrade this reader`;
  return new SchemaError('ERR_SCHEMA_UNSUPPORTED_VERSION', `unsupported ${what}`, { problems: [{ path: '/v', message }] });
}

/** Checks a value against the CheckResult v1 schema; an invalid one comes back with every problem, by JSON Pointer. */
export function validateCheckResult(value: unknown): DecodeResult {
  const newer = newerVersion(value, schemaVersion, 'CheckResult');
  if (newer) return { ok: false, error: newer };
  if (isValid(value)) return { ok: true, value };
  if (validate(value)) return { ok: true, value };
  return { ok: false, error: new SchemaError('ERR_SCHEMA_INVALID', 'invalid CheckResult', { problems: problemsOf(validate.errors ?? []) }) };
}

/** Parses message bytes as JSON (at most maxMessageBytes), then hands the value to `validateValue`. */
export function decodeJson<T>(bytes: Uint8Array | string | null | undefined, what: string, validateValue: (value: unknown) => Decoded<T>): Decoded<T> {
  if (bytes === null || bytes === undefined || bytes.length === 0) {
    return { ok: false, error: new SchemaError('ERR_SCHEMA_NOT_JSON', 'message has no value') };
  }
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  if (size > maxMessageBytes) {
    return { ok: false, error: new SchemaError('ERR_SCHEMA_INVALID', `message is ${size} bytes, more than a ${what} can be (${maxMessageBytes})`) };
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  } catch (cause) {
    return { ok: false, error: new SchemaError('ERR_SCHEMA_NOT_JSON', `message is not JSON: ${(cause as Error).message}`, { cause }) };
  }
  return validateValue(value);
}

/** Parses and validates message bytes. Anything invalid comes back as a SchemaError naming each field at fault. */
export function decode(bytes: Uint8Array | string | null | undefined): DecodeResult {
  return decodeJson(bytes, 'CheckResult', validateCheckResult);
}

/** Serialises a CheckResult, validating it first: an invalid result is a bug of the writer and throws. */
export function encode(result: CheckResult): Buffer {
  const checked = validateCheckResult(result);
  if (!checked.ok) throw checked.error;
  return Buffer.from(JSON.stringify(result));
}
