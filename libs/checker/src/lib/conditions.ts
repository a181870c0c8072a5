// Evaluating a target's conditions (assertions.ts compiles them) on what a check found: the
// body parsed as JSON, or the final response's headers. These functions also run in the body
// worker, whose script is made from their text (`conditionFunctions`, body-worker.ts). So
// they are top-level function declarations that use nothing but each other and the language:
// no imports, no module constants, no functions declared inside them (a transpiler may wrap
// those, as esbuild's keepNames does, in a helper the worker does not have).
import type { JsonScalar } from '@sitewatch/schema';

/** What a condition asks of the value it finds; a header's `present` is `exists`. */
export type Operator = 'equals' | 'notEquals' | 'oneOf' | 'below' | 'above' | 'matches' | 'exists' | 'absent';

/** A condition ready to evaluate, as plain data (it is posted to the worker). */
export interface Check {
  /** The condition as a failure message names it: `json /status equals "UP"`. */
  label: string;
  operator: Operator;
  /** What the operator compares with: a scalar, a list for `oneOf`, a number, a pattern for `matches`. */
  operand?: JsonScalar | readonly JsonScalar[];
}

/** A condition on the JSON body: the reference tokens of its pointer. */
export interface JsonCheck extends Check {
  tokens: readonly string[];
}

/** Runs an RE2 pattern over a string: true when it matches somewhere. */
export type PatternTest = (pattern: string, value: string) => boolean;

/** What the conditions came to: nothing when all hold, else the failure's code and message. */
export type ConditionFailure = { code: 'ASSERTION_FAILED' | 'INVALID_JSON'; message: string } | undefined;

/** A value as a message shows it: at most 64 characters of a string, the size of an object or an array. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return value.length > 64 ? `${JSON.stringify(value.slice(0, 64))}…` : JSON.stringify(value);
  if (Array.isArray(value)) return `an array of ${value.length} item(s)`;
  if (typeof value === 'object' && value !== null) return `an object of ${Object.keys(value).length} member(s)`;
  return String(value);
}

/** What is wrong with what a condition found (`{ value }`, or undefined for nothing), or undefined when it holds. */
export function fault(check: Check, found: { value: unknown } | undefined, test: PatternTest): string | undefined {
  const { operator, operand } = check;
  if (operator === 'absent') return found === undefined ? undefined : `found ${shown(found.value)}`;
  if (found === undefined) return 'found nothing';
  const { value } = found;
  const wrong = `found ${shown(value)}`;
  switch (operator) {
    case 'equals':
      return value === operand ? undefined : wrong;
    case 'notEquals':
      return value === operand ? wrong : undefined;
    case 'oneOf':
      return (operand as readonly JsonScalar[]).includes(value as JsonScalar) ? undefined : wrong;
    case 'below':
    case 'above':
      if (typeof value !== 'number') return `${wrong}, not a number`;
      return (operator === 'below' ? value < (operand as number) : value > (operand as number)) ? undefined : wrong;
    case 'matches':
      if (typeof value !== 'string') return `${wrong}, not a string`;
      return test(operand as string, value) ? undefined : wrong;
    case 'exists':
      return undefined;
  }
}

/** The first condition that does not hold, and how many others do not, as one failure. */
export function judgeConditions<C extends Check>(checks: readonly C[], find: (check: C) => { value: unknown } | undefined, test: PatternTest): ConditionFailure {
  let first: string | undefined;
  let others = 0;
  for (const check of checks) {
    const wrong = fault(check, find(check), test);
    if (wrong === undefined) continue;
    if (first === undefined) first = `${check.label}: ${wrong}`;
    else others++;
  }
  if (first === undefined) return undefined;
  return { code: 'ASSERTION_FAILED', message: others === 0 ? first : `${first} (and ${others} more condition(s) failed)` };
}

/** Parses the body and evaluates the JSON conditions on it; a body that is not JSON fails with `INVALID_JSON`. */
export function judgeJson(text: string, checks: readonly JsonCheck[], test: PatternTest): ConditionFailure {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { code: 'INVALID_JSON', message: jsonSyntaxError(text) };
  }
  return judgeConditions(checks, (check) => valueAt(document, check.tokens), test);
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

/**
 * Why `text` (which JSON.parse refused) is not JSON (RFC 8259), with the position of the
 * first error: its offset in characters from 0, its line and column from 1. In our own words:
 * V8's messages change between releases, quote the body, and for an unexpected character give
 * no position (`Unexpected token '<', "<html>" is not valid JSON`); a stored result must read
 * the same on every Node.js and hold nothing of the body. Iterative, so deep nesting costs no
 * stack. Runs only once JSON.parse has failed.
 */
export function jsonSyntaxError(text: string): string {
  const space = /[ \t\n\r]*/y;
  // Runs of plain characters, not one character at a time: fewer backtracking entries on a long string.
  const string = /"(?:[^"\\\u0000-\u001f]+|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const scalar = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null/y;
  const badString = 'a string that is not valid (unterminated, a control character or a bad escape)';
  // The containers open, innermost last: a byte each (`{` or `[`), since a hostile body may open millions.
  let open = new Uint8Array(64);
  let depth = 0;
  // What may come next: a value, a value or `]` (a new array), a key or `}` (a new object), a key, `:`, `,` or a closer, the end.
  let state: 'value' | 'firstValue' | 'firstKey' | 'key' | 'colon' | 'next' | 'end' = 'value';
  for (let at = after(space, text, 0); ; at = after(space, text, at)) {
    const char = text[at];
    if (char === undefined && state === 'end') return 'body is not JSON, yet no error was found in it';
    if (char === undefined) return text.trim() === '' ? 'body is empty, not JSON' : notJson(text, at, 'the body ends early');
    const inObject = depth > 0 && open[depth - 1] === 0x7b;
    const was = state;
    let next = -1;
    if ((state === 'value' || state === 'firstValue') && (char === '{' || char === '[')) {
      if (depth === open.length) {
        const grown = new Uint8Array(depth * 2);
        grown.set(open);
        open = grown;
      }
      open[depth++] = char.charCodeAt(0);
      state = char === '{' ? 'firstKey' : 'firstValue';
      next = at + 1;
    } else if ((state === 'firstValue' && char === ']') || (state === 'firstKey' && char === '}') || (state === 'next' && char === (inObject ? '}' : ']'))) {
      depth--;
      state = depth > 0 ? 'next' : 'end';
      next = at + 1;
    } else if ((state === 'next' && char === ',') || (state === 'colon' && char === ':')) {
      state = state === 'colon' || !inObject ? 'value' : 'key';
      next = at + 1;
    } else if ((state === 'key' || state === 'firstKey') && char === '"') {
      next = after(string, text, at);
      state = 'colon';
    } else if (state === 'value' || state === 'firstValue') {
      next = after(char === '"' ? string : scalar, text, at);
      state = depth > 0 ? 'next' : 'end';
    }
    if (next === -1) return notJson(text, at, was === 'end' ? 'more after the JSON value' : char === '"' ? badString : 'an unexpected character');
    at = next;
  }
}

/** Where `pattern` (sticky) ends when matched at `at`, or -1 when it does not match there. */
function after(pattern: RegExp, text: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex : -1;
}

/** `body is not JSON: <what> at position <n> (line <l>, column <c>)`. */
function notJson(text: string, position: number, what: string): string {
  let line = 1;
  let lineStart = 0;
  for (let next = text.indexOf('\n'); next !== -1 && next < position; next = text.indexOf('\n', next + 1)) {
    line++;
    lineStart = next + 1;
  }
  return `body is not JSON: ${what} at position ${position} (line ${line}, column ${position - lineStart + 1})`;
}

/** Every function above, for the worker's script: judgeJson() and what it calls. */
export const conditionFunctions: readonly ((...args: never[]) => unknown)[] = [shown, fault, judgeConditions, judgeJson, valueAt, jsonSyntaxError, after, notJson];
