// PostgreSQL array literals ('{1,NULL,"a\"b"}') sent as one text parameter each and cast
// in SQL (`$1::real[]`): a batch of any size is a fixed number of parameters (postgres.js
// caps a query at 65 534), and the types come from the casts, not from guessing.

/** A value an array element can take; null is SQL NULL. */
export type ArrayElement = string | number | boolean | null;

function element(value: ArrayElement): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`array element ${value} is not a finite number`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 't' : 'f';
  // Quoted, so commas, braces, spaces and the word NULL stay text.
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** The array literal of `values`, for a parameter cast to an array type. */
export function arrayLiteral(values: readonly ArrayElement[]): string {
  return `{${values.map(element).join(',')}}`;
}

/**
 * The same for strings that need no quoting (UUIDs, ISO timestamps: no spaces, commas,
 * braces, quotes or backslashes) and nulls: cheaper for large batches.
 */
export function bareArrayLiteral(values: readonly (string | null)[]): string {
  return `{${values.map((value) => (value === null ? 'NULL' : value)).join(',')}}`;
}

/**
 * The same for strings that need quoting but hold no quotes or backslashes (array literals
 * such as '[185:187]={2,NULL,1}', ISO timestamps): quoted without scanning for escapes.
 */
export function quotedArrayLiteral(values: readonly string[]): string {
  return values.length === 0 ? '{}' : `{"${values.join('","')}"}`;
}
