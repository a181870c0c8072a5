// Options of createStatusReader(): checked once, at construction, with the shared ajv.
import { sqlIdentifierPattern } from '@sitewatch/pg-sink';
import { compileOptions, type Logger } from '@sitewatch/schema';
import type postgres from 'postgres';
import { StatusError } from './errors.js';

/** Options of `createStatusReader()`. */
export interface StatusReaderOptions {
  /** A postgres.js client (without column transforms); a role with SELECT on the schema is enough. The reader never closes it. */
  sql: postgres.Sql;
  /** Schema of pg-sink's (and the alerts') tables (default `sitewatch`). */
  schema?: string;
  /** A location whose latest check is older than this is not reporting, in ms (default 900 000: 15 minutes). */
  staleAfterMs?: number;
  /** Logger (default: none). */
  logger?: Logger;
  /** Clock, for tests (default `() => new Date()`). */
  now?: () => Date;
}

/** Defaults of StatusReaderOptions. */
export const statusReaderDefaults = { schema: 'sitewatch', staleAfterMs: 900_000 } as const;

/** JSON Schema of the options a config file can set (`schema`, `staleAfterMs`). */
export const statusReaderOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    schema: { type: 'string', pattern: sqlIdentifierPattern, default: statusReaderDefaults.schema, description: 'Schema of the sink and alerts tables.' },
    staleAfterMs: {
      type: 'integer',
      minimum: 10_000,
      maximum: 86_400_000,
      default: statusReaderDefaults.staleAfterMs,
      description: 'A location whose latest check is older than this is shown as not reporting, ms.',
    },
  },
} as const;

const librarySchema = {
  ...statusReaderOptionsSchema,
  required: ['sql'],
  properties: {
    ...statusReaderOptionsSchema.properties,
    sql: { typeof: 'function' },
    logger: { typeof: 'object' },
    now: { typeof: 'function' },
  },
} as const;

/** StatusReaderOptions after validation, defaults applied. */
export interface ResolvedReaderOptions {
  sql: postgres.Sql;
  schema: string;
  staleAfterMs: number;
  logger?: Logger;
  now: () => Date;
}

const validate = compileOptions<ResolvedReaderOptions>(librarySchema);

/** Checks the options; throws ERR_STATUS_INVALID_OPTIONS listing every problem. */
export function resolveReaderOptions(options: StatusReaderOptions): ResolvedReaderOptions {
  // The client is a function with properties: keep it out of the copy ajv makes.
  const { sql, logger, now, ...rest } = options ?? ({} as StatusReaderOptions);
  const { value, problems } = validate({ ...rest, ...(sql === undefined ? {} : { sql }), ...(logger === undefined ? {} : { logger }), ...(now === undefined ? {} : { now }) });
  if (problems.length > 0) throw new StatusError('ERR_STATUS_INVALID_OPTIONS', 'invalid status reader options', { problems });
  return { ...value, sql, ...(logger === undefined ? {} : { logger }), now: now ?? (() => new Date()) };
}
