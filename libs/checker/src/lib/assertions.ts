// Conditions on the answer, a target's `json` and `responseHeaders`: their problems, found
// when the target is compiled (a pointer that is not one, a pattern RE2 refuses, no operator
// or two: the schema of a condition cannot say "exactly one" in words a person reads), and
// the checks they are compiled into, evaluated by conditions.ts.
import { headerConditionSchema, jsonConditionSchema, type HeaderCondition, type JsonCondition, type JsonScalar, type Problem } from '@sitewatch/schema';
import { RE2JS } from 're2js';
import { judgeConditions, shown, type Check, type ConditionFailure, type JsonCheck, type Operator } from './conditions.js';
import { parsePointer } from './json-pointer.js';

/** A condition on a response header: its name in lower case. */
export interface HeaderCheck extends Check {
  name: string;
}

/** The checks of a target's conditions. */
export interface TargetChecks {
  json?: readonly JsonCheck[];
  headers?: readonly HeaderCheck[];
}

const operatorsOf = (schema: { properties: object }, subject: string) => Object.keys(schema.properties).filter((key) => key !== subject);
const jsonOperators = operatorsOf(jsonConditionSchema, 'pointer');
const headerOperators = operatorsOf(headerConditionSchema, 'name');

/** Why `pattern` is not an RE2 pattern, or undefined when it is one. */
export function re2Problem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return `does not compile as an RE2 pattern: ${(error as Error).message}`;
  }
}

const listed = (names: readonly string[]) => `${names.slice(0, -1).join(', ')} or ${names.at(-1)!}`;

/** The problems of one condition, by pointer into it; `subject` is `pointer` or `name`. */
function conditionProblems(condition: object, operators: readonly string[], subject: string): Problem[] {
  const given = operators.filter((operator) => (condition as Record<string, unknown>)[operator] !== undefined);
  const problems: Problem[] = [];
  if (given.length === 0) problems.push({ path: '', message: `needs an operator: ${listed(operators)}` });
  if (given.length > 1) problems.push({ path: '', message: `has ${given.length} operators (${given.join(', ')}): give each its own condition` });
  const pointer = subject === 'pointer' ? parsePointer((condition as JsonCondition).pointer) : undefined;
  if (pointer !== undefined && 'problem' in pointer) problems.push({ path: '/pointer', message: pointer.problem });
  const matches = (condition as { matches?: string }).matches;
  const pattern = matches === undefined ? undefined : re2Problem(matches);
  if (pattern !== undefined) problems.push({ path: '/matches', message: pattern });
  return problems;
}

/** Problems of the conditions of a `json` list, by pointer into the list's item (`/0/pointer`). */
export function jsonConditionProblems(condition: JsonCondition): Problem[] {
  return conditionProblems(condition, jsonOperators, 'pointer');
}

/** Problems of a condition of a `responseHeaders` list, by pointer into the item. */
export function headerConditionProblems(condition: HeaderCondition): Problem[] {
  return conditionProblems(condition, headerOperators, 'name');
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The operator a condition gives, and the words of a message for it: `equals "UP"`, `below 500`, `matches "^2\."`. */
function operation(condition: object, operators: readonly string[]): { operator: Operator; operand?: JsonScalar | readonly JsonScalar[]; words: string } {
  const fields = condition as Record<string, JsonScalar | JsonScalar[] | undefined>;
  const name = operators.find((key) => fields[key] !== undefined)!;
  const operand = fields[name]!;
  const operator = (name === 'present' ? 'exists' : name) as Operator;
  if (operator === 'exists' || operator === 'absent') return { operator, words: name };
  const text = Array.isArray(operand) ? `[${operand.map(shown).join(', ')}]` : name === 'matches' ? `"${String(operand)}"` : shown(operand);
  return { operator, operand, words: `${name} ${cut(text, 200)}` };
}

/** The checks of a target whose conditions are valid (their problems are none). */
export function compileChecks(target: { json?: readonly JsonCondition[]; responseHeaders?: readonly HeaderCondition[] }): TargetChecks {
  const json = target.json?.map((condition): JsonCheck => {
    const { words, ...rest } = operation(condition, jsonOperators);
    const { tokens } = parsePointer(condition.pointer) as { tokens: string[] };
    return { ...rest, tokens, label: `json ${condition.pointer === '' ? '(the whole body)' : cut(condition.pointer, 200)} ${words}` };
  });
  const headers = target.responseHeaders?.map((condition): HeaderCheck => {
    const { words, ...rest } = operation(condition, headerOperators);
    return { ...rest, name: condition.name.toLowerCase(), label: `header ${condition.name.toLowerCase()} ${words}` };
  });
  return { ...(json ? { json } : {}), ...(headers ? { headers } : {}) };
}

// RE2 patterns compiled on this thread (the header conditions'), as the worker keeps its own.
const compiled = new Map<string, RE2JS>();

/** Whether `pattern` matches somewhere in `value`, the pattern compiled once. */
export function testPattern(pattern: string, value: string): boolean {
  let re = compiled.get(pattern);
  if (re === undefined) {
    if (compiled.size >= 1000) compiled.clear();
    re = RE2JS.compile(pattern);
    compiled.set(pattern, re);
  }
  return re.test(value);
}

/** The header conditions evaluated on the final response's headers (by lower-case name, each with its values). */
export function judgeHeaders(checks: readonly HeaderCheck[], headers: Readonly<Record<string, readonly string[] | undefined>>): ConditionFailure {
  return judgeConditions(checks, (check) => (headers[check.name] === undefined ? undefined : { value: headers[check.name]!.join(', ') }), testPattern);
}
