// A target's settings, and compileTarget(): defaults filled, everything validated up front so
// that a config mistake is reported before anything starts, never as a failed check.
import { RE2JS } from 're2js';
import { invalidTarget, type TargetProblem } from './errors.js';
import { parseStatusRange, type StatusRange } from './status-ranges.js';
import { builtInDefaults, headerNamePattern, limits, targetIdPattern } from './target.schema.js';

/** HTTP methods a check can use. */
export type CheckMethod = 'GET' | 'HEAD';

/** Settings of a target that can also be given once as defaults for all targets. */
export interface TargetSettings {
  /** HTTP method; HEAD reads no body, so it cannot have regexes. Default `GET`. */
  method?: CheckMethod;
  /** Request headers (e.g. `authorization`); never logged nor put in results. Default none. */
  headers?: Record<string, string>;
  /** Time between the scheduled starts of two checks, ms. Default 60_000, at least 1_000. */
  intervalMs?: number;
  /** Budget of the whole check, DNS to the last body byte and redirects included, ms. Default 10_000; at most `intervalMs`. */
  timeoutMs?: number;
  /** Accepted status codes of the final response: codes or inclusive ranges (`'200-299'`, `'404'`). Default `['200-399']`. */
  acceptStatus?: string[];
  /** Follow redirects; when false a 3xx is the final response. Default true. */
  followRedirects?: boolean;
  /** Redirects followed before the check fails with reason `redirects`. Default 5. */
  maxRedirects?: number;
  /** Regular expression (RE2 syntax: no backreferences or lookarounds; flags inline like `(?i)`) the UTF-8 body must match. Default none. */
  mustMatch?: string;
  /** Regular expression (RE2 syntax) the UTF-8 body must not match. Default none. */
  mustNotMatch?: string;
  /** Body bytes read after decompression; a longer body fails with `body_too_large`. Default 1_048_576 (1 MiB). */
  maxBodyBytes?: number;
  /** Verify the server's certificate chain and host name. Default true. */
  tlsVerify?: boolean;
}

/** One website to check. */
export interface Target extends TargetSettings {
  /** Stable id (letters, digits, `._:/-`; at most 128): the Kafka key and the database key. */
  id: string;
  /** http or https URL, without credentials (put them in `headers`, which are never logged). */
  url: string;
}

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
  readonly maxBodyBytes: number;
  readonly tlsVerify: boolean;
}

type FieldCheck = (value: unknown) => string | undefined;

const compiledRanges = new WeakMap<CompiledTarget, readonly StatusRange[]>();

const integer =
  ({ min, max }: { min: number; max: number }): FieldCheck =>
  (value) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? undefined : `must be an integer from ${min} to ${max}`;

const boolean: FieldCheck = (value) => (typeof value === 'boolean' ? undefined : 'must be true or false');

function regex(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > limits.patternLength) {
    return `must be a pattern of 1 to ${limits.patternLength} characters`;
  }
  try {
    RE2JS.compile(value);
    return undefined;
  } catch (error) {
    return `does not compile as an RE2 pattern: ${(error as Error).message}`;
  }
}

function statusList(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return 'must be a non-empty list of status codes or ranges like 200-299';
  const messages = value.map((spec) => (typeof spec === 'string' ? parseStatusRange(spec) : `${JSON.stringify(spec)} is not a string`));
  const wrong = messages.filter((message): message is string => typeof message === 'string');
  return wrong.length > 0 ? wrong.join('; ') : undefined;
}

function headers(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of header names to strings';
  const name = new RegExp(headerNamePattern);
  for (const [key, item] of Object.entries(value)) {
    if (!name.test(key)) return `${JSON.stringify(key)} is not a valid header name`;
    // The value is not quoted: it may be a secret.
    if (typeof item !== 'string' || /[\r\n\0]/.test(item)) return `the value of ${key} must be a string without line breaks`;
  }
  return undefined;
}

function id(value: unknown): string | undefined {
  const ok = typeof value === 'string' && value.length <= limits.idLength && new RegExp(targetIdPattern).test(value);
  return ok ? undefined : `must be 1 to ${limits.idLength} letters, digits or ._:/- starting with a letter or digit`;
}

function url(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > limits.urlLength) return `must be a URL of at most ${limits.urlLength} characters`;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an http or https URL';
  if (parsed.username || parsed.password) return 'must not hold credentials: put them in headers, which are never logged';
  return undefined;
}

const settingChecks: Record<keyof TargetSettings, FieldCheck> = {
  method: (value) => (value === 'GET' || value === 'HEAD' ? undefined : 'must be GET or HEAD'),
  headers,
  intervalMs: integer(limits.intervalMs),
  timeoutMs: integer(limits.timeoutMs),
  acceptStatus: statusList,
  followRedirects: boolean,
  maxRedirects: integer(limits.maxRedirects),
  mustMatch: regex,
  mustNotMatch: regex,
  maxBodyBytes: integer(limits.maxBodyBytes),
  tlsVerify: boolean,
};

const targetChecks: Record<keyof Target, FieldCheck> = { id, url, ...settingChecks };

/** Problems of each field present, and of unknown fields, at `at/<field>`. */
function fieldProblems(input: object, checks: Record<string, FieldCheck>, at: string): TargetProblem[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [{ field: at, message: 'must be an object' }];
  return Object.entries(input).flatMap(([key, value]): TargetProblem[] => {
    if (value === undefined) return [];
    const check = Object.hasOwn(checks, key) ? checks[key] : undefined;
    const message = check ? check(value) : 'is not a known setting';
    return message === undefined ? [] : [{ field: `${at}/${key}`, message }];
  });
}

/** Rules across fields, on settings that are each valid. */
function crossProblems(merged: CompiledTarget, at: string): TargetProblem[] {
  const problems: TargetProblem[] = [];
  if (merged.timeoutMs > merged.intervalMs) {
    problems.push({ field: `${at}/timeoutMs`, message: `must not exceed intervalMs (${merged.intervalMs})` });
  }
  for (const key of ['mustMatch', 'mustNotMatch'] as const) {
    if (merged.method === 'HEAD' && merged[key] !== undefined) {
      problems.push({ field: `${at}/${key}`, message: 'needs a body: use method GET' });
    }
  }
  return problems;
}

function merge(target: Target, defaults: TargetSettings): CompiledTarget {
  const defined = (value: object) => Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
  const merged = { ...builtInDefaults, ...defined(defaults), ...defined(target) } as CompiledTarget;
  return { ...merged, headers: Object.freeze({ ...merged.headers }), acceptStatus: Object.freeze([...merged.acceptStatus]) };
}

/** Problems of one target merged over defaults; `at` prefixes every field pointer. */
function targetProblems(target: Target, defaults: TargetSettings, at: string): TargetProblem[] {
  const own = fieldProblems(target, targetChecks, at);
  for (const key of ['id', 'url'] as const) {
    if (typeof target === 'object' && target !== null && target[key] === undefined) own.push({ field: `${at}/${key}`, message: 'is required' });
  }
  return own.length > 0 ? own : crossProblems(merge(target, defaults), at);
}

/**
 * Validates a target merged over `defaults` (then the built-in defaults) and returns it
 * compiled and frozen. Throws a CheckerError `ERR_CHECKER_INVALID_TARGET` listing every
 * problem by JSON pointer relative to the target (e.g. `/mustMatch`).
 */
export function compileTarget(target: Target, defaults: TargetSettings = {}): CompiledTarget {
  const defaultProblems = fieldProblems(defaults, settingChecks, '');
  const problems = defaultProblems.length > 0 ? [...defaultProblems, ...fieldProblems(target, targetChecks, '')] : targetProblems(target, defaults, '');
  if (problems.length > 0) throw invalidTarget(problems);
  return seal(merge(target, defaults));
}

/**
 * Compiles a list of targets sharing `defaults`, and checks that ids are unique. Problems are
 * reported by pointer into `{ defaults, targets }` (e.g. `/defaults/timeoutMs`, `/targets/3/url`),
 * the shape of the `checker` section of a config file.
 */
export function compileTargets(targets: readonly Target[], defaults: TargetSettings = {}): CompiledTarget[] {
  const defaultProblems = fieldProblems(defaults, settingChecks, '/defaults');
  if (defaultProblems.length > 0) throw invalidTarget(defaultProblems, 'targets');
  const seen = new Map<unknown, number>();
  const problems = targets.flatMap((target, index) => {
    const found = targetProblems(target, defaults, `/targets/${index}`);
    const targetId = typeof target === 'object' && target !== null ? target.id : undefined;
    const first = seen.get(targetId);
    if (targetId === undefined) return found;
    if (first !== undefined) found.push({ field: `/targets/${index}/id`, message: `duplicates the id of /targets/${first}` });
    else seen.set(targetId, index);
    return found;
  });
  if (problems.length > 0) throw invalidTarget(problems, 'targets');
  return targets.map((target) => seal(merge(target, defaults)));
}

function seal(target: CompiledTarget): CompiledTarget {
  const frozen = Object.freeze(target);
  compiledRanges.set(frozen, frozen.acceptStatus.map((spec) => parseStatusRange(spec) as StatusRange));
  return frozen;
}

/** The parsed accepted statuses of a compiled target; undefined when it did not come from compileTarget(). */
export function acceptedRanges(target: CompiledTarget): readonly StatusRange[] | undefined {
  return compiledRanges.get(target);
}
