// The target record: the value of the registry topic, keyed by target id. A JSON target with
// its major version in `v` (and in the header `sitewatch-schema-version`), validated on the
// way out and on the way in, like a CheckResult; a tombstone (no value) removes the target.
import { decodeJson, newerVersion, type Decoded } from './codec.js';
import { SchemaError } from './errors.js';
import { targetSchemaVersion, type Target } from './target.js';
import { targetRecordSchema } from './target.schema.js';
import { createAjv, problemsOf } from './validation.js';

const validate = createAjv({ useDefaults: false }).compile<Target & { v: number }>(targetRecordSchema);

/** Checks a parsed target record; `key` (the Kafka key) must be its id. The value comes back without `v`. */
export function validateTargetRecord(value: unknown, key?: string): Decoded<Target> {
  const newer = newerVersion(value, targetSchemaVersion, 'target record');
  if (newer) return { ok: false, error: newer };
  if (!validate(value)) return { ok: false, error: new SchemaError('ERR_SCHEMA_INVALID', 'invalid target record', { problems: problemsOf(validate.errors ?? []) }) };
  const { v: _version, ...target } = value;
  if (key !== undefined && key !== target.id) {
    return { ok: false, error: new SchemaError('ERR_SCHEMA_INVALID', 'invalid target record', { problems: [{ path: '/id', message: `differs from the record key "${key}"` }] }) };
  }
  return { ok: true, value: target };
}

/**
 * Parses and validates a target record (never throws); `key`, when given, must be its id.
 * A tombstone is not a record: the caller handles a missing value as a removal.
 */
export function decodeTarget(bytes: Uint8Array | string | null | undefined, key?: string): Decoded<Target> {
  return decodeJson(bytes, 'target record', (value) => validateTargetRecord(value, key));
}

/** Serialises a target as a record, validating it first: an invalid target is a bug of the writer and throws. */
export function encodeTarget(target: Target): Buffer {
  // A compiled target may hold absent settings as undefined: they are not part of the record.
  const record = { v: targetSchemaVersion, ...Object.fromEntries(Object.entries(target).filter(([, value]) => value !== undefined)) };
  const checked = validateTargetRecord(record);
  if (!checked.ok) throw checked.error;
  return Buffer.from(JSON.stringify(record));
}
