// compileTarget(): a target's defaults filled, everything validated up front so that a config
// mistake is reported before anything starts, never as a failed check. The JSON Schemas of a
// target (@sitewatch/schema) say most of it; the rules here say what they cannot.
import {
  compileOptions,
  relocateProblems,
  targetSchema,
  targetSettingsSchema,
  type CheckMethod,
  type HeaderCondition,
  type JsonCondition,
  type Problem,
  type Target,
  type TargetSettings,
} from '@sitewatch/schema';
import { compileChecks, headerConditionProblems, jsonConditionProblems, re2Problem, type TargetChecks } from './assertions.js';
import { CheckerError } from './errors.js';
import { parseStatusRange, type StatusRange } from './status-ranges.js';

export type { CheckMethod, HeaderCondition, JsonCondition, Target, TargetSettings } from '@sitewatch/schema';

/** A validated target with every default filled in; made by compileTarget(), frozen. */
export interface CompiledTarget {
  readonly id: string;
  readonly url: string;
  readonly method: CheckMethod;
  readonly headers: Readonly<Record<string, string>>;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly acceptStatus: readonly string[];
  readonly followRedirects: boolean;
  readonly maxRedirects: number;
  readonly mustMatch?: string;
  readonly mustNotMatch?: string;
  readonly json?: readonly Readonly<JsonCondition>[];
  readonly responseHeaders?: readonly Readonly<HeaderCondition>[];
  readonly maxBodyBytes: number;
  readonly tlsVerify: boolean;
}

/** Settings with every built-in default filled in. */
type FullSettings = Omit<CompiledTarget, 'id' | 'url'>;

const validateSettings = compileOptions<FullSettings>(targetSettingsSchema);
const validateTarget = compileOptions<Target>(targetSchema);
/** What compileTarget() made of a target's settings, kept beside the plain frozen target. */
interface Compiled {
  ranges: readonly StatusRange[];
  checks: TargetChecks;
}
const compiledParts = new WeakMap<CompiledTarget, Compiled>();

function statusRanges(specs: string[]): string | undefined {
  const wrong = specs.map(parseStatusRange).filter((answer): answer is string => typeof answer === 'string');
  return wrong.length > 0 ? wrong.join('; ') : undefined;
}

function url(value: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  return parsed.username || parsed.password ? 'must not hold credentials: put them in headers, which are never logged' : undefined;
}

// What the schemas cannot say about one field; each runs on a value the schema found right.
const fieldRules: Record<string, (value: never) => string | undefined> = { url, acceptStatus: statusRanges, mustMatch: re2Problem, mustNotMatch: re2Problem };
// The same for each item of a list, with problems by pointer into the item.
const itemRules: Record<string, (item: never) => Problem[]> = { json: jsonConditionProblems, responseHeaders: headerConditionProblems };

const isUnder = (problems: readonly Problem[], path: string) => problems.some((p) => p.path === path || p.path.startsWith(`${path}/`));

/** Problems of the fields (and list items) the schema accepted, by the rules above. */
function fieldProblems(value: object, schemaProblems: readonly Problem[]): Problem[] {
  const field = (key: string) => (value as Record<string, unknown>)[key];
  const ofFields = Object.entries(fieldRules).flatMap(([key, rule]) => {
    const path = `/${key}`;
    if (field(key) === undefined || isUnder(schemaProblems, path)) return [];
    const message = rule(field(key) as never);
    return message === undefined ? [] : [{ path, message }];
  });
  const ofItems = Object.entries(itemRules).flatMap(([key, rule]) => {
    const items = field(key);
    if (!Array.isArray(items)) return [];
    return items.flatMap((item, index) => {
      const path = `/${key}/${index}`;
      return isUnder(schemaProblems, path) ? [] : relocateProblems(rule(item as never), { '': path });
    });
  });
  return [...ofFields, ...ofItems];
}

/** Rules across fields, on a target whose own settings and defaults are each valid. */
function crossProblems(merged: CompiledTarget): Problem[] {
  const problems: Problem[] = [];
  if (merged.timeoutMs > merged.intervalMs) problems.push({ path: '/timeoutMs', message: `must not exceed intervalMs (${merged.intervalMs})` });
  for (const key of ['mustMatch', 'mustNotMatch', 'json'] as const) {
    if (merged.method === 'HEAD' && merged[key] !== undefined) problems.push({ path: `/${key}`, message: 'needs a body: use method GET' });
  }
  return problems;
}

/** Defaults checked, with the built-in values under them; problems by pointer into `defaults`. */
function settingsOf(defaults: TargetSettings): { settings: FullSettings; problems: Problem[] } {
  const { value, problems } = validateSettings(defaults);
  return { settings: value, problems: [...problems, ...fieldProblems(value, problems)] };
}

/** A target checked and merged over `settings` (undefined when those are invalid); problems by pointer into the target. */
function prepare(target: Target, settings: FullSettings | undefined): { compiled?: CompiledTarget; problems: Problem[] } {
  const { value, problems } = validateTarget(target);
  problems.push(...fieldProblems(value, problems));
  if (problems.length > 0 || settings === undefined) return { problems };
  const defined = Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
  const merged = { ...settings, ...defined } as CompiledTarget;
  const cross = crossProblems(merged);
  return cross.length > 0 ? { problems: cross } : { compiled: seal(merged), problems: [] };
}

/** Problems of ids that repeat an earlier one, at `<at>/<index>/id` (items without a string id are skipped). */
export function duplicateIdProblems(targets: readonly unknown[], at: string): Problem[] {
  const seen = new Map<string, number>();
  return targets.flatMap((target, index) => {
    const id = (target as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return [];
    const first = seen.get(id);
    if (first === undefined) seen.set(id, index);
    return first === undefined ? [] : [{ path: `${at}/${index}/id`, message: `duplicates the id of target ${first}` }];
  });
}

/**
 * Validates a target merged over `defaults` (then the built-in defaults) and returns it
 * compiled and frozen. Throws a CheckerError `ERR_CHECKER_INVALID_TARGET` listing every
 * problem by JSON Pointer into the target (e.g. `/mustMatch`), or into `defaults` as `/defaults/...`.
 */
export function compileTarget(target: Target, defaults: TargetSettings = {}): CompiledTarget {
  const { settings, problems: defaultProblems } = settingsOf(defaults);
  const { compiled, problems } = prepare(target, defaultProblems.length > 0 ? undefined : settings);
  const all = [...relocateProblems(defaultProblems, { '': '/defaults' }), ...problems];
  if (compiled === undefined || all.length > 0) throw new CheckerError('ERR_CHECKER_INVALID_TARGET', 'invalid target', { problems: all });
  return compiled;
}

/**
 * Compiles a list of targets sharing `defaults`, and checks that ids are unique. Problems are
 * reported by pointer into `{ defaults, targets }` (e.g. `/defaults/timeoutMs`, `/targets/3/url`),
 * the shape of the `checker` section of a config file.
 */
export function compileTargets(targets: readonly Target[], defaults: TargetSettings = {}): CompiledTarget[] {
  const { settings, problems: defaultProblems } = settingsOf(defaults);
  const prepared = targets.map((target) => prepare(target, defaultProblems.length > 0 ? undefined : settings));
  const duplicates = duplicateIdProblems(targets, '/targets');
  const problems = [
    ...relocateProblems(defaultProblems, { '': '/defaults' }),
    ...prepared.flatMap((answer, index) => [
      ...relocateProblems(answer.problems, { '': `/targets/${index}` }),
      ...duplicates.filter((problem) => problem.path === `/targets/${index}/id`),
    ]),
  ];
  if (problems.length > 0) throw new CheckerError('ERR_CHECKER_INVALID_TARGET', 'invalid targets', { problems });
  return prepared.map((answer) => answer.compiled!);
}

/** A list of conditions frozen, each item and its `oneOf` too. */
const frozenList = <T extends object>(list: readonly T[]) =>
  Object.freeze(list.map((item) => Object.freeze(Object.fromEntries(Object.entries(item).map(([key, value]: [string, unknown]) => [key, Array.isArray(value) ? Object.freeze([...(value as unknown[])]) : value]))) as T));

function seal(merged: CompiledTarget): CompiledTarget {
  const frozen = Object.freeze({
    ...merged,
    headers: Object.freeze({ ...merged.headers }),
    acceptStatus: Object.freeze([...merged.acceptStatus]),
    ...(merged.json ? { json: frozenList(merged.json) } : {}),
    ...(merged.responseHeaders ? { responseHeaders: frozenList(merged.responseHeaders) } : {}),
  });
  compiledParts.set(frozen, { ranges: frozen.acceptStatus.map((spec) => parseStatusRange(spec) as StatusRange), checks: compileChecks(frozen) });
  return frozen;
}

/** The parsed accepted statuses of a compiled target; undefined when it did not come from compileTarget(). */
export function acceptedRanges(target: CompiledTarget): readonly StatusRange[] | undefined {
  return compiledParts.get(target)?.ranges;
}

/** The checks of a compiled target's conditions (none when it has none, or did not come from compileTarget()). */
export function targetChecks(target: CompiledTarget): TargetChecks {
  return compiledParts.get(target)?.checks ?? {};
}
