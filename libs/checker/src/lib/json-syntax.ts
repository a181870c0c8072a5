// Where a body that JSON.parse refused stops being JSON, in our own words. V8's messages
// change between releases, quote the body, and for an unexpected character give no position
// (`Unexpected token '<', "<html>" is not valid JSON`); a stored result must read the same on
// every Node.js and hold nothing of the body. Runs only after JSON.parse failed, in the body
// worker too (body-worker.ts), so it uses nothing but the language.

/**
 * Why `text` (which JSON.parse refused) is not JSON (RFC 8259), with the position of the
 * first error: its offset in characters from 0, its line and column from 1. Iterative, so
 * deep nesting costs no stack.
 */
export function jsonSyntaxError(text: string): string {
  const space = /[ \t\n\r]*/y;
  // Runs of plain characters, not one character at a time: fewer backtracking entries on a long string.
  const string = /"(?:[^"\\\u0000-\u001f]+|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const scalar = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null/y;
  // `body is not JSON: <what> at position <n> (line <l>, column <c>)`.
  const notJson = (position: number, what: string) => {
    let line = 1;
    let lineStart = 0;
    for (let next = text.indexOf('\n'); next !== -1 && next < position; next = text.indexOf('\n', next + 1)) {
      line++;
      lineStart = next + 1;
    }
    return `body is not JSON: ${what} at position ${position} (line ${line}, column ${position - lineStart + 1})`;
  };
  const badString = 'a string that is not valid (unterminated, a control character or a bad escape)';
  const open: string[] = [];
  let at = 0;
  // What may come next: a value, a value or `]` (a new array), a key or `}` (a new object), a key, `:`, `,` or a closer, the end.
  let state: 'value' | 'firstValue' | 'firstKey' | 'key' | 'colon' | 'next' | 'end' = 'value';
  const skip = (pattern: RegExp) => {
    pattern.lastIndex = at;
    const found = pattern.exec(text);
    if (found !== null) at += found[0].length;
    return found !== null;
  };
  for (;;) {
    skip(space);
    const char = text[at];
    const close = char === (open.at(-1) === '{' ? '}' : ']');
    if (char === undefined && state === 'end') return 'body is not JSON, yet no error was found in it';
    if (char === undefined) break;
    if ((state === 'value' || state === 'firstValue') && (char === '{' || char === '[')) {
      open.push(char);
      at++;
      state = char === '{' ? 'firstKey' : 'firstValue';
    } else if (((state === 'firstValue' && char === ']') || (state === 'firstKey' && char === '}') || (state === 'next' && close))) {
      open.pop();
      at++;
      state = open.length > 0 ? 'next' : 'end';
    } else if (state === 'next' && char === ',') {
      at++;
      state = open.at(-1) === '{' ? 'key' : 'value';
    } else if (state === 'colon' && char === ':') {
      at++;
      state = 'value';
    } else if ((state === 'key' || state === 'firstKey') && char === '"') {
      if (!skip(string)) return notJson(at, badString);
      state = 'colon';
    } else if ((state === 'value' || state === 'firstValue') && (char === '"' ? skip(string) : skip(scalar))) {
      state = open.length > 0 ? 'next' : 'end';
    } else {
      return notJson(at, state === 'end' ? 'more after the JSON value' : char === '"' ? badString : 'an unexpected character');
    }
  }
  return text.trim() === '' ? 'body is empty, not JSON' : notJson(at, 'the body ends early');
}
