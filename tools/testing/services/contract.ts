// The request bodies a service documents, as a small schema the test receivers check each
// request against: the fields it takes (any other is refused, so a misspelt field fails the
// test that sent it), their types, the required ones, and their limits. Each problem is named
// by its path in the body (`payload.severity`), as the services' own errors name them.

/** One field of a body. */
export interface Field {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null' | readonly ('string' | 'integer' | 'null')[];
  required?: boolean;
  /** Longest string (characters, as the services count them), or most items of an array. */
  max?: number;
  /** Shortest string, or fewest items. */
  min?: number;
  /** Smallest and largest number. */
  minimum?: number;
  maximum?: number;
  enum?: readonly unknown[];
  pattern?: RegExp;
  /** An object's fields; without them, any object. */
  fields?: Fields;
  /** An object with string keys and values of this kind (a map). */
  values?: Field;
  /** An array's items. */
  items?: Field;
}

/** The fields of an object. */
export type Fields = Record<string, Field>;

const kindOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value);

function fieldProblems(value: unknown, field: Field, at: string): string[] {
  const kind = kindOf(value);
  const allowed: readonly string[] = typeof field.type === 'string' ? [field.type] : field.type;
  const fits = allowed.includes(kind) || (kind === 'integer' && allowed.includes('number'));
  if (!fits) return [`${at}: must be ${allowed.join(' or ')}, not ${kind}`];
  if (field.enum && !field.enum.includes(value)) return [`${at}: must be one of ${field.enum.join(', ')}`];
  if (typeof value === 'string') {
    const length = [...value].length;
    if (field.max !== undefined && length > field.max) return [`${at}: must be at most ${field.max} characters (has ${length})`];
    if (field.min !== undefined && length < field.min) return [`${at}: must be at least ${field.min} characters`];
    if (field.pattern && !field.pattern.test(value)) return [`${at}: is not of the form ${String(field.pattern)}`];
  }
  if (typeof value === 'number' && ((field.minimum !== undefined && value < field.minimum) || (field.maximum !== undefined && value > field.maximum))) {
    return [`${at}: must be between ${field.minimum} and ${field.maximum}`];
  }
  if (Array.isArray(value)) {
    if (field.max !== undefined && value.length > field.max) return [`${at}: must have at most ${field.max} items`];
    if (field.min !== undefined && value.length < field.min) return [`${at}: must have at least ${field.min} items`];
    return field.items ? value.flatMap((item, i) => fieldProblems(item, field.items!, `${at}[${i}]`)) : [];
  }
  if (kind === 'object' && field.fields) return problemsOf(value, field.fields, `${at}.`);
  if (kind === 'object' && field.values) return Object.entries(value as object).flatMap(([key, item]) => fieldProblems(item, field.values!, `${at}.${key}`));
  return [];
}

/** What is wrong with `body` against `fields`; empty when it follows the contract. */
export function problemsOf(body: unknown, fields: Fields, prefix = ''): string[] {
  if (kindOf(body) !== 'object') return [`${prefix || 'body'}: must be a JSON object`];
  const given = body as Record<string, unknown>;
  const unknown = Object.keys(given)
    .filter((key) => !(key in fields))
    .map((key) => `${prefix}${key}: is not a field of this request`);
  const missing = Object.entries(fields)
    .filter(([key, field]) => field.required && given[key] === undefined)
    .map(([key]) => `${prefix}${key}: is required`);
  const wrong = Object.entries(given).flatMap(([key, value]) => (key in fields && value !== undefined ? fieldProblems(value, fields[key]!, `${prefix}${key}`) : []));
  return [...unknown, ...missing, ...wrong];
}

/** An ISO 8601 date-time. */
export const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
/** An http(s) URL. */
export const httpUrl = /^https?:\/\/\S+$/;
