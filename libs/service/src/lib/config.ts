// A service's config: one YAML file, secret references resolved, validated against a JSON
// Schema with defaults applied, frozen. Every problem is reported at once, by path.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem } from './errors.js';

/** A JSON Schema object (draft-07 keywords). */
export type JsonSchema = Record<string, unknown>;

export interface LoadConfigOptions {
  /** Schema of the whole file; `additionalProperties: false` where unknown keys are mistakes. */
  schema: JsonSchema;
  /** Where `${env:NAME}` references are looked up. */
  env: Record<string, string | undefined>;
  /**
   * The top-level sections this service reads. Only these have their references resolved
   * and are returned; the others (another service's, in a shared file) may be absent or hold
   * references this machine cannot resolve. Default: every section.
   */
  sections?: readonly string[];
  /** Checks that a schema cannot express (duplicates, cross-field rules); run only on a schema-valid config. */
  check?: (config: never) => ConfigProblem[];
}

export interface LoadedConfig<T> {
  config: T;
  /** Values that came from references or secret-named keys: to be scrubbed from any output. */
  secrets: string[];
}

const reference = /\$\{(env|file):([^}]+)\}/g;
const secretKey = /(password|secret|token|passphrase)$|^key$/i;
/** Settings named `...File` hold paths: relative ones are taken from the config file's folder. */
const fileKey = /File$/;

// ajv-formats is CommonJS with `exports.default`: take the plugin either way it arrives.
const addFormats = ((addFormatsPlugin as { default?: unknown }).default ?? addFormatsPlugin) as (ajv: Ajv) => Ajv;

/** `/checker/targets/3/url` → `checker.targets[3].url`. */
export function formatPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');
}

function describe(error: ErrorObject): ConfigProblem {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: formatPath(`${error.instancePath}/${String(params.missingProperty)}`), message: 'is required' };
    case 'additionalProperties':
      return { path: formatPath(`${error.instancePath}/${String(params.additionalProperty)}`), message: 'is not a known setting' };
    case 'enum':
      return { path: formatPath(error.instancePath), message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    default:
      return { path: formatPath(error.instancePath), message: error.message ?? 'is invalid' };
  }
}

/** Replaces `${env:NAME}` and `${file:PATH}` in every string; records what was substituted. */
function resolveReferences(value: unknown, at: string, context: { env: LoadConfigOptions['env']; dir: string; secrets: string[]; problems: ConfigProblem[] }): unknown {
  if (typeof value === 'string') {
    return value.replace(reference, (_match, kind: string, name: string) => {
      const resolved = kind === 'env' ? context.env[name] : readReferencedFile(path.resolve(context.dir, name));
      if (resolved === undefined) {
        context.problems.push({ path: formatPath(at), message: kind === 'env' ? `environment variable ${name} is not set` : `cannot read file ${name}` });
        return '';
      }
      context.secrets.push(resolved);
      return resolved;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => resolveReferences(item, `${at}/${i}`, context));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => {
        const resolved = resolveReferences(item, `${at}/${key}`, context);
        if (typeof resolved !== 'string' || !resolved) return [key, resolved];
        if (secretKey.test(key)) context.secrets.push(resolved);
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

/** Passwords written inline in URLs (postgres://user:secret@host) are secrets too. */
function urlPasswords(value: unknown): string[] {
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value)) {
    try {
      const password = decodeURIComponent(new URL(value).password);
      return password ? [password] : [];
    } catch {
      return [];
    }
  }
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(urlPasswords);
  return [];
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

const validators = new WeakMap<JsonSchema, (value: unknown) => ConfigProblem[]>();

/** Compiles a schema (once per schema object) into a validator that fills defaults and reports every problem by path. */
export function createConfigValidator(schema: JsonSchema): (value: unknown) => ConfigProblem[] {
  const known = validators.get(schema);
  if (known) return known;
  const ajv = addFormats(new Ajv({ allErrors: true, useDefaults: true, strict: true, strictRequired: false, allowUnionTypes: true }));
  const validate = ajv.compile(schema);
  const validator = (value: unknown) => {
    if (validate(value)) return [];
    const problems = (validate.errors ?? []).filter((e) => e.keyword !== 'if').map(describe);
    return problems.filter((p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i);
  };
  validators.set(schema, validator);
  return validator;
}

/** Reads, resolves, validates and freezes a YAML config file; throws a ConfigError listing every problem. */
export function loadConfig<T>(file: string, options: LoadConfigOptions): LoadedConfig<T> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the config file (${(cause as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    const where = (e: (typeof document.errors)[number]) => (e.linePos ? ` line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '');
    const what = (e: (typeof document.errors)[number]) => e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(file, document.errors.map((e) => ({ path: '', message: `YAML${where(e)}: ${what(e)}` })));
  }
  const context = { env: options.env, dir: path.dirname(file), secrets: [] as string[], problems: [] as ConfigProblem[] };
  const value = resolveSections(document.toJS() ?? {}, options.sections, context);
  const problems = [...context.problems, ...createConfigValidator(options.schema)(value)];
  const config = ownSections(value, options.sections);
  if (problems.length === 0 && options.check) problems.push(...options.check(config as never));
  if (problems.length > 0) throw new ConfigError(file, problems);
  const secrets = [...new Set([...context.secrets, ...urlPasswords(config)])].filter((s) => s.length >= 4);
  return { config: deepFreeze(config as T), secrets };
}

/** Resolves the references of the sections a service reads; leaves the others as they are written. */
function resolveSections(document: unknown, sections: readonly string[] | undefined, context: Parameters<typeof resolveReferences>[2]): unknown {
  if (!sections || document === null || typeof document !== 'object' || Array.isArray(document)) return resolveReferences(document, '', context);
  return Object.fromEntries(Object.entries(document).map(([key, item]) => [key, sections.includes(key) ? resolveReferences(item, `/${key}`, context) : item]));
}

/** The sections a service reads (defaults filled in by the validator), without the others. */
function ownSections(value: unknown, sections: readonly string[] | undefined): unknown {
  if (!sections || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => sections.includes(key)));
}
