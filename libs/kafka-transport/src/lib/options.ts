// Checks of programmatic options, once at construction. The JSON Schema fragments serve
// YAML configs (the apps validate those with ajv); these checks catch the same mistakes
// from code that builds options by hand, and name the option by its path.
import { TransportError } from './errors.js';

function invalid(path: string, message: string): never {
  throw new TransportError('ERR_TRANSPORT_OPTIONS', `${path} ${message}`);
}

/** Throws for keys not in `allowed` (a typo would otherwise be silently ignored). */
export function checkKeys(value: object, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) invalid(path ? `${path}.${key}` : key, 'is not a known option');
  }
}

/** The object at `path`, or undefined when absent. */
export function optionalObject<T extends object>(value: T | undefined, path: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(path, 'must be an object');
  return value;
}

/** The object at `path`, required. */
export function requiredObject<T extends object>(value: T | undefined, path: string): T {
  const object = optionalObject(value, path);
  if (object === undefined) invalid(path, 'is required');
  return object;
}

/** An integer in [min, max], or `fallback` when absent (required when there is no fallback). */
export function positiveInteger(value: number | undefined, path: string, fallback?: number, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) invalid(path, `must be an integer from ${min} to ${max}`);
  return value;
}

/** A non-empty string, or `fallback` when absent (required when there is no fallback). */
export function nonEmptyString(value: string | undefined, path: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) invalid(path, 'must be a non-empty string');
  return value;
}

/** A boolean, or `fallback` when absent. */
export function booleanOption(value: boolean | undefined, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') invalid(path, 'must be true or false');
  return value;
}

/** One of `allowed`, or `fallback` when absent (required when there is no fallback). */
export function oneOf<T extends string>(value: T | undefined, path: string, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (value === undefined || !allowed.includes(value)) invalid(path, `must be one of: ${allowed.join(', ')}`);
  return value;
}

/** A Kafka topic name: 1-249 of `[a-zA-Z0-9._-]`, as the broker requires. */
export function topicName(value: string | undefined, path: string, fallback?: string): string {
  const topic = nonEmptyString(value, path, fallback);
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic) || topic === '.' || topic === '..') invalid(path, 'must be 1-249 characters of a-z, A-Z, 0-9, ".", "_" and "-"');
  return topic;
}

/** A function, required. */
export function requiredFunction<T extends (...args: never[]) => unknown>(value: T | undefined, path: string): T {
  if (typeof value !== 'function') invalid(path, 'must be a function');
  return value;
}

/** Throws an ERR_TRANSPORT_OPTIONS error for `path` unless `condition` holds. */
export function ensure(condition: boolean, path: string, message: string): asserts condition {
  if (!condition) invalid(path, message);
}
