// A service's config: one YAML file, secret references resolved, validated against a JSON
// Schema with defaults applied, frozen, its secrets listed (secrets.ts). Every problem is
// reported at once, by path.
import fs from 'node:fs';
import path from 'node:path';
import { compileOptions, pointer, type JsonSchema, type Problem } from '@sitewatch/schema';
import { parseDocument } from 'yaml';
import { renamedSettings } from './config-schema.js';
import { ServiceError } from './errors.js';
import { checkSecrets, secretKey, urlPasswords, type FoundSecret } from './secrets.js';

/** Options of loadConfig(). */
export interface LoadConfigOptions {
  /** Schema of the whole file; `additionalProperties: false` where unknown keys are mistakes. */
  schema: JsonSchema;
  /** Where `${env:NAME}` (and `${env:NAME:-fallback}`) references are looked up. */
  env: Record<string, string | undefined>;
  /**
   * The top-level sections this service reads. Only these have their references resolved
   * and are returned; the others (another service's, in a shared file) may be absent or hold
   * references this machine cannot resolve. Default: every section.
   */
  sections?: readonly string[];
  /** Checks that a schema cannot express (the libraries' rules, files); run only on a schema-valid config. Paths are JSON Pointers into the file. */
  check?: (config: never) => Problem[];
}

/** A loaded config file. */
export interface LoadedConfig<T> {
  config: T;
  /**
   * Values to scrub from any output: what references gave, the values of secret-named keys,
   * URL passwords, and the strings where the schema says `secret: true`; none shorter than 4
   * characters (a config problem) or empty.
   */
  secrets: string[];
}

const reference = /\$\{(env|file):([^}]+)\}/g;
/** Settings named `...File` hold paths: relative ones are taken from the config file's folder. */
const fileKey = /File$/;

/** The error for a config file that cannot be used, listing every problem. */
function invalidConfig(file: string, problems: Problem[]): ServiceError {
  return new ServiceError('ERR_SERVICE_CONFIG', `invalid config ${file}`, { problems });
}

/** `NAME` of `${env:NAME}`, and `fallback` of `${env:NAME:-fallback}`: what stands when NAME is unset or empty. */
function envReference(text: string): { name: string; fallback?: string } {
  const at = text.indexOf(':-');
  return at < 0 ? { name: text } : { name: text.slice(0, at), fallback: text.slice(at + 2) };
}

/**
 * Replaces `${env:NAME}` (or `${env:NAME:-fallback}`) and `${file:PATH}` in every string;
 * records what was substituted (a fallback is written in the file: no secret).
 */
function resolveReferences(value: unknown, at: string, context: { env: LoadConfigOptions['env']; dir: string; secrets: FoundSecret[]; problems: Problem[] }): unknown {
  if (typeof value === 'string') {
    return value.replace(reference, (_match, kind: string, text: string) => {
      const { name, fallback } = kind === 'env' ? envReference(text) : { name: text };
      if (fallback !== undefined && !context.env[name]) return fallback;
      const resolved = kind === 'env' ? context.env[name] : readReferencedFile(path.resolve(context.dir, name));
      if (resolved === undefined) {
        context.problems.push({ path: at, message: kind === 'env' ? `environment variable ${name} is not set` : `cannot read file ${name}` });
        return '';
      }
      context.secrets.push({ path: at, value: resolved, fromReference: true });
      return resolved;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => resolveReferences(item, pointer(at, i), context));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => {
        const resolved = resolveReferences(item, pointer(at, key), context);
        if (typeof resolved !== 'string' || !resolved) return [key, resolved];
        if (secretKey.test(key)) context.secrets.push({ path: pointer(at, key), value: resolved });
        return [key, fileKey.test(key) ? path.resolve(context.dir, resolved) : resolved];
      }),
    );
  }
  return value;
}

function readReferencedFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads, resolves, validates (with defaults) and freezes a YAML config file; throws a
 * ServiceError `ERR_SERVICE_CONFIG` listing every problem by JSON Pointer.
 */
export function loadConfig<T>(file: string, options: LoadConfigOptions): LoadedConfig<T> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (cause) {
    throw invalidConfig(file, [{ path: '', message: `cannot read the config file (${(cause as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    const where = (e: (typeof document.errors)[number]) => (e.linePos ? ` line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '');
    const what = (e: (typeof document.errors)[number]) => e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw invalidConfig(file, document.errors.map((e) => ({ path: '', message: `YAML${where(e)}: ${what(e)}` })));
  }
  const context = { env: options.env, dir: path.dirname(file), secrets: [] as FoundSecret[], problems: [] as Problem[] };
  const resolved = resolveSections(document.toJS() ?? {}, options.sections, context);
  const validation = compileOptions(options.schema)(resolved);
  const config = ownSections(validation.value, options.sections);
  const { secrets, problems: shortSecrets } = checkSecrets([...context.secrets, ...validation.secrets, ...urlPasswords(config)]);
  const problems = [...context.problems, ...validation.problems.map(renamed), ...shortSecrets];
  if (problems.length === 0 && options.check) problems.push(...options.check(config as never));
  if (problems.length > 0) throw invalidConfig(file, problems);
  return { config: deepFreeze(config as T), secrets };
}

/** A setting reported at the pointer it had before it was renamed or moved: where it went, rather than that it is unknown. */
function renamed(problem: Problem): Problem {
  return Object.hasOwn(renamedSettings, problem.path) ? { path: problem.path, message: `renamed to ${renamedSettings[problem.path]}` } : problem;
}

/** Resolves the references of the sections a service reads; leaves the others as they are written. */
function resolveSections(document: unknown, sections: readonly string[] | undefined, context: Parameters<typeof resolveReferences>[2]): unknown {
  if (!sections || document === null || typeof document !== 'object' || Array.isArray(document)) return resolveReferences(document, '', context);
  return Object.fromEntries(Object.entries(document).map(([key, item]) => [key, sections.includes(key) ? resolveReferences(item, pointer('', key), context) : item]));
}

/** The sections a service reads (defaults filled in by the validator), without the others. */
function ownSections(value: unknown, sections: readonly string[] | undefined): unknown {
  if (!sections || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => sections.includes(key)));
}
