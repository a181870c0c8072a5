// JSON Pointer (RFC 6901): a pointer parsed once, when its target is compiled, into its
// reference tokens; the tokens walked through a parsed document at each check. Written here
// rather than taken from a package: the two functions are 30 lines, and valueAt() must run in
// the body worker too (body-worker.ts), so it uses nothing but the language.

/** The reference tokens of a JSON Pointer, unescaped (`~1` is `/`, `~0` is `~`); or what is wrong with it. */
export function parsePointer(pointer: string): { tokens: string[] } | { problem: string } {
  if (pointer === '') return { tokens: [] };
  if (!pointer.startsWith('/')) return { problem: 'is not a JSON Pointer: it must be empty (the whole body) or start with /' };
  if (/~[^01]|~$/.test(pointer)) return { problem: 'is not a JSON Pointer: ~ must be followed by 0 or 1 (~0 stands for ~, ~1 for /)' };
  // ~1 first: `~01` is the token `~1`, not `/`.
  return { tokens: pointer.slice(1).split('/').map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~')) };
}

/**
 * The value `tokens` point at in `document` (a parsed JSON value), or undefined when there is
 * none. An array is indexed by a token of digits without leading zeros, below its length; `-`
 * (the element after the last, RFC 6901 §4) points at nothing. Only own members count.
 */
export function valueAt(document: unknown, tokens: readonly string[]): { value: unknown } | undefined {
  let value = document;
  for (const token of tokens) {
    if (Array.isArray(value)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) >= value.length) return undefined;
      value = value[Number(token)];
    } else if (typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, token)) {
      value = (value as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return { value };
}
