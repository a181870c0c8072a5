// JSON Schema fragments (draft-07 keywords) of a target's settings: the checker's
// compileTarget() checks targets with them, the apps compose them into their YAML config
// schema as `checker.defaults` and `checker.targets[]`, and the target record of the
// registry topic is a target with its version.
import { targetSchemaVersion } from './target.js';

/** The syntax of one `acceptStatus` entry: a code, or two codes joined by a dash. */
export const statusRangePattern = '^[1-9][0-9]{2}(-[1-9][0-9]{2})?$';

// Syntax of a target id: it is a Kafka key, a database key and a metrics label.
const targetIdPattern = '^[A-Za-z0-9][A-Za-z0-9._:/-]*$';
// An HTTP header name (an RFC 9110 token).
const headerNamePattern = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
const limits = {
  idLength: 128,
  urlLength: 2048,
  patternLength: 1024,
  intervalMs: { min: 1_000, max: 86_400_000 },
  timeoutMs: { min: 10, max: 3_600_000 },
  maxRedirects: { min: 0, max: 20 },
  maxBodyBytes: { min: 1, max: 64 * 1024 * 1024 },
  conditions: 100,
  oneOf: 100,
} as const;

const range = ({ min, max }: { min: number; max: number }) => ({ minimum: min, maximum: max });
const pattern = (description: string) => ({ type: 'string', minLength: 1, maxLength: limits.patternLength, description }) as const;

const scalar = (description: string) => ({ type: ['string', 'number', 'boolean', 'null'], maxLength: limits.patternLength, description }) as const;
const yes = (description: string) => ({ type: 'boolean', const: true, description }) as const;
const conditions = <T extends object>(items: T, description: string) => ({ type: 'array', minItems: 1, maxItems: limits.conditions, items, description }) as const;

/** Schema of one condition on the JSON body (`json[]`): a pointer and one operator (compileTarget() checks that there is one). */
export const jsonConditionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['pointer'],
  properties: {
    pointer: { type: 'string', maxLength: limits.patternLength, description: 'JSON Pointer (RFC 6901) to the value, e.g. /checks/db/status; "" is the whole body' },
    equals: scalar('the value is this string, number, boolean or null'),
    notEquals: scalar('the value is there and is not this one'),
    oneOf: { type: 'array', minItems: 1, maxItems: limits.oneOf, items: scalar('a value'), description: 'the value is one of these' },
    below: { type: 'number', description: 'the value is a number less than this' },
    above: { type: 'number', description: 'the value is a number greater than this' },
    matches: pattern('RE2 regular expression a string value must match'),
    exists: yes('true: the value is there (null too)'),
    absent: yes('true: nothing is there'),
  },
} as const;

/** Schema of one condition on a response header (`responseHeaders[]`): a name and one operator. */
export const headerConditionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: limits.patternLength, pattern: headerNamePattern, description: 'header name, any case' },
    present: yes('true: the header is there'),
    absent: yes('true: the header is not there'),
    equals: { type: 'string', maxLength: limits.patternLength, description: 'the value is exactly this (values of a repeated header joined by ", ")' },
    matches: pattern('RE2 regular expression the value must match'),
  },
} as const;

const settingProperties = {
  method: { enum: ['GET', 'HEAD'], default: 'GET', description: 'HTTP method; HEAD reads no body' },
  headers: {
    type: 'object',
    description: 'request headers; never logged nor put in results',
    propertyNames: { pattern: headerNamePattern },
    additionalProperties: { type: 'string', pattern: '^[^\\r\\n\\u0000]*$' },
  },
  intervalMs: { type: 'integer', ...range(limits.intervalMs), default: 60_000, description: 'time between two scheduled checks, ms' },
  timeoutMs: { type: 'integer', ...range(limits.timeoutMs), default: 10_000, description: 'budget of the whole check (DNS to last body byte, redirects included), ms' },
  acceptStatus: {
    type: 'array',
    minItems: 1,
    items: { type: 'string', pattern: statusRangePattern },
    default: ['200-399'],
    description: 'accepted status codes of the final response: codes or ranges like 200-299',
  },
  followRedirects: { type: 'boolean', default: true, description: 'follow redirects' },
  maxRedirects: { type: 'integer', ...range(limits.maxRedirects), default: 5, description: 'redirects followed before the check fails' },
  mustMatch: pattern('RE2 regular expression the body must match'),
  mustNotMatch: pattern('RE2 regular expression the body must not match'),
  json: conditions(jsonConditionSchema, "conditions on the body parsed as JSON, all of which must hold (reasons assertion, invalid_json); a target's list replaces the defaults' one"),
  responseHeaders: conditions(headerConditionSchema, "conditions on the final response's headers, all of which must hold (reason assertion)"),
  maxBodyBytes: { type: 'integer', ...range(limits.maxBodyBytes), default: 1_048_576, description: 'body bytes read (after decompression)' },
  tlsVerify: { type: 'boolean', default: true, description: 'verify the TLS certificate chain and host name' },
} as const;

/** Schema of the settings a target can take, with their defaults (`checker.defaults`). */
export const targetSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: settingProperties,
} as const;

function withoutDefault<T extends object>(property: T): Omit<T, 'default'> {
  const { default: _ignored, ...rest } = property as T & { default?: unknown };
  return rest;
}

/**
 * Schema of one target (`checker.targets[]`). It has no defaults on purpose: a validator that
 * fills defaults would otherwise hide the values of `checker.defaults`. Defaults are applied by
 * compileTarget(), from the target, then the defaults given to it, then the built-in ones.
 */
export const targetSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'url'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: limits.idLength, pattern: targetIdPattern, description: 'stable id of the target' },
    url: { type: 'string', maxLength: limits.urlLength, pattern: '^https?://', description: 'http or https URL, without credentials' },
    ...(Object.fromEntries(Object.entries(settingProperties).map(([key, value]) => [key, withoutDefault(value)])) as {
      [K in keyof typeof settingProperties]: Omit<(typeof settingProperties)[K], 'default'>;
    }),
  },
} as const;

/**
 * Schema of a target record, the value of the registry topic: a target with every setting
 * it needs and its major version `v`. Unknown settings are refused, not ignored: a check
 * that silently dropped a setting (a header, a regex) would report the wrong thing.
 */
export const targetRecordSchema = {
  ...targetSchema,
  required: ['v', ...targetSchema.required],
  properties: { v: { const: targetSchemaVersion }, ...targetSchema.properties },
} as const;
