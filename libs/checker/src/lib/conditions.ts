// Evaluating a target's conditions (assertions.ts compiles them) on what a check found: the
// body parsed as JSON, or the final response's headers. These functions also run in the body
// worker, whose script is made from their text (body-worker.ts): they use nothing but each
// other, valueAt() (json-pointer.ts), jsonSyntaxError() (json-syntax.ts) and the language.
import type { JsonScalar } from '@sitewatch/schema';
import { valueAt } from './json-pointer.js';
import { jsonSyntaxError } from './json-syntax.js';

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
