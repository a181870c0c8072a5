// One error shape for every sitewatch library: a stable `code` (each library has its own
// prefix and list), `retriable`, the `cause`, and for invalid input every `problem` found,
// each at a JSON Pointer (RFC 6901) into what was given (e.g. `/kafka/sasl`).

/** One thing wrong with an input: where (a JSON Pointer into the input; `''` is the whole of it) and what. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** What a SitewatchError carries besides its code and message. */
export interface SitewatchErrorOptions extends ErrorOptions {
  /** Whether the same operation may succeed later (default false). */
  retriable?: boolean;
  /** Everything wrong with the input, for errors about invalid input (default none). */
  problems?: readonly Problem[];
}

/** `summary` followed by one `  /path: message` line per problem (the format the services print on exit 2). */
export function formatProblems(summary: string, problems: readonly Problem[]): string {
  return `${summary}:${problems.map((p) => `\n  ${p.path || '(root)'}: ${p.message}`).join('')}`;
}

/**
 * The base of every sitewatch library's error. The message lists the problems, if any.
 * Libraries subclass it with their own code list; match errors with isSitewatchError() and
 * `code`, never with `instanceof` alone (two copies of a package have two classes).
 */
export class SitewatchError<Code extends string = string, Details extends object = object> extends Error {
  readonly code: Code;
  readonly retriable: boolean;
  readonly problems: readonly Problem[];

  /** `details` become fields of the error (e.g. a SinkError's `sqlState`). */
  constructor(code: Code, message: string, options: SitewatchErrorOptions & Details = {} as SitewatchErrorOptions & Details) {
    const { cause, retriable = false, problems = [], ...details } = options;
    super(problems.length > 0 ? formatProblems(message, problems) : message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = retriable;
    this.problems = problems;
    for (const [name, value] of Object.entries(details)) if (value !== undefined) Object.defineProperty(this, name, { value, enumerable: true });
  }
}

/**
 * True for an error of a sitewatch library (also one from another copy of the package),
 * and, when `codes` is given, one with a code in that list (e.g. `sinkErrorCodes`).
 */
export function isSitewatchError<Code extends string = string>(error: unknown, codes?: readonly Code[]): error is SitewatchError<Code> {
  if (!(error instanceof Error)) return false;
  const { code, retriable, problems } = error as Partial<SitewatchError>;
  if (typeof code !== 'string' || !/^ERR_[A-Z]+_/.test(code) || typeof retriable !== 'boolean' || !Array.isArray(problems)) return false;
  return codes === undefined || (codes as readonly string[]).includes(code);
}

/** Codes of the errors this package reports. */
export const schemaErrorCodes = [
  /** The bytes are not JSON (or there are none). */
  'ERR_SCHEMA_NOT_JSON',
  /** The value is not a valid CheckResult, or options are not valid for their schema (see `problems`). */
  'ERR_SCHEMA_INVALID',
  /** The message is of a newer major schema version than this reader knows. */
  'ERR_SCHEMA_UNSUPPORTED_VERSION',
] as const;

/** One of `schemaErrorCodes`. */
export type SchemaErrorCode = (typeof schemaErrorCodes)[number];

/** A message that is not a valid CheckResult. Never retriable: the same bytes fail the same way (dead-letter them). */
export class SchemaError extends SitewatchError<SchemaErrorCode> {}
