// JSON Pointer (RFC 6901), parsed once, when its target is compiled, into its reference
// tokens; conditions.ts walks them through a parsed document at each check (valueAt()).
// Written here rather than taken from a package: both together are 30 lines, and the walk
// must run in the body worker too.

/** The reference tokens of a JSON Pointer, unescaped (`~1` is `/`, `~0` is `~`); or what is wrong with it. */
export function parsePointer(pointer: string): { tokens: string[] } | { problem: string } {
  if (pointer === '') return { tokens: [] };
  if (!pointer.startsWith('/')) return { problem: 'is not a JSON Pointer: it must be empty (the whole body) or start with /' };
  if (/~[^01]|~$/.test(pointer)) return { problem: 'is not a JSON Pointer: ~ must be followed by 0 or 1 (~0 stands for ~, ~1 for /)' };
  // ~1 first: `~01` is the token `~1`, not `/`.
  return { tokens: pointer.slice(1).split('/').map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~')) };
}
