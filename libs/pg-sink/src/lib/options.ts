// The sink's options: their types, defaults, the JSON Schema a YAML config and createSink()
// both check them with, and the rules it cannot say, run once at construction (a typo or an
// impossible value fails there, named by its JSON Pointer, never later in a write).
import { compileOptions, whenPresent, type CheckResult, type Logger, type Problem } from '@sitewatch/schema';
import type postgres from 'postgres';
import { planConnection, type ConnectionPlan } from './connection.js';
import { SinkError } from './errors.js';
import { sqlIdentifierPattern } from './identifier.js';

/** TLS modes, as libpq names them. */
export const sslModes = ['disable', 'require', 'verify-ca', 'verify-full'] as const;

/** One of `sslModes`. */
export type SslMode = (typeof sslModes)[number];

/** TLS to PostgreSQL. Use `verify-full` with the provider's CA file (Aiven: `ca.pem`) in production. */
export interface SinkSslOptions {
  /**
   * `disable`: no TLS; `require`: encrypted, server not verified (logged as a warning);
   * `verify-ca`: certificate signed by the CA; `verify-full`: that and the host name matches
   * (default `disable`, or the URL's `sslmode`).
   */
  mode?: SslMode;
  /**
   * CA certificate(s) to trust, PEM file, read when the options are checked (default: the
   * system CAs, or the URL's `sslrootcert`). Alone it means `verify-full`; with `disable` or
   * `require`, which would not use it, it is refused.
   */
  caFile?: string;
  /** CA certificate(s) to trust, PEM text (instead of `caFile`; refused, like it, with `disable` or `require`). */
  ca?: string;
}

/** Options of `createSink()`: where the database is, and how long data is kept. */
export interface SinkOptions {
  /** An existing postgres.js client (without column transforms); the sink never closes it. Either this or `url`. */
  sql?: postgres.Sql;
  /** Connection URL, `postgres://user:password@host:5432/db`; `?sslmode=verify-full&sslrootcert=ca.pem` is understood. */
  url?: string;
  /** TLS settings (default: the URL's `sslmode` and `sslrootcert`, else no TLS). */
  ssl?: SinkSslOptions;
  /** Connections the sink opens at most, with `url` (default 4). */
  poolSize?: number;
  /** Time to connect, TLS included, in milliseconds (default 10 000). */
  connectTimeoutMs?: number;
  /** `application_name` the server shows for the sink's connections (default `sitewatch-pg-sink`). */
  applicationName?: string;
  /** Schema holding the sink's tables, created by `migrate()` (default `sitewatch`). */
  schema?: string;
  /** Age in days after which raw results are dropped, a daily partition at a time (default 30). */
  rawRetentionDays?: number;
  /** Age in days after which hourly rollups are dropped, a month at a time (default 400). */
  hourlyRetentionDays?: number;
  /** Age in days after which daily rollups are dropped, a month at a time (default 3650). */
  dailyRetentionDays?: number;
  /** Days of raw partitions created ahead of today (default 7). */
  partitionsAhead?: number;
  /** Period of `startMaintenance()` (partitions ahead + retention), in milliseconds (default 3 600 000). */
  maintenanceIntervalMs?: number;
  /** Logger (default: none). */
  logger?: Logger;
  /** Clock, for tests (default `() => new Date()`). */
  now?: () => Date;
  /**
   * Called inside each write's transaction with exactly the results that transaction
   * inserted (none of a redelivered batch, so it is not called then), in batch order, after
   * the rollups: what it writes with `tx` commits or rolls back with the results. Throwing
   * fails the write: retriable when the error says so (a SitewatchError's `retriable`, or a
   * database error such as a lost connection or a deadlock); a unique violation (23505) is
   * taken for a redelivered batch, which is written again skipping the stored rows. For
   * evaluating alerts from the stored results (`@sitewatch/alerts`).
   */
  onInserted?: InsertedHook | undefined;
}

/** See `SinkOptions.onInserted`. */
export type InsertedHook = (tx: postgres.TransactionSql, inserted: readonly CheckResult[]) => Promise<void>;

/** Defaults of SinkOptions. */
export const sinkDefaults = {
  poolSize: 4,
  connectTimeoutMs: 10_000,
  applicationName: 'sitewatch-pg-sink',
  schema: 'sitewatch',
  rawRetentionDays: 30,
  hourlyRetentionDays: 400,
  dailyRetentionDays: 3650,
  partitionsAhead: 7,
  maintenanceIntervalMs: 3_600_000,
} as const;

const maxDays = 36_500;
const days = (def: number, description: string) => ({ type: 'integer', minimum: 1, maximum: maxDays, default: def, description }) as const;

/**
 * JSON Schema fragment (draft-07) of the options a YAML config sets; the rest (`sql`,
 * `logger`, `now`) only code can pass. The app puts secrets in `url` through its own
 * references (e.g. `${env:DATABASE_URL}`).
 */
export const pgSinkOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', pattern: '^postgres(ql)?://', description: 'postgres://user:password@host:port/database, optionally ?sslmode=...&sslrootcert=...' },
    ssl: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { enum: [...sslModes], description: 'disable, require (not verified), verify-ca, or verify-full (production).' },
        caFile: { type: 'string', minLength: 1, description: 'PEM file of the CA to trust (Aiven: ca.pem).' },
        ca: { type: 'string', minLength: 1, description: 'PEM text of the CA to trust.' },
      },
      allOf: [whenPresent('caFile', { not: { required: ['ca'] } }, 'and ca are both set: use one')],
    },
    poolSize: { type: 'integer', minimum: 1, maximum: 100, default: sinkDefaults.poolSize },
    connectTimeoutMs: { type: 'integer', minimum: 100, maximum: 600_000, default: sinkDefaults.connectTimeoutMs },
    applicationName: { type: 'string', minLength: 1, maxLength: 63, default: sinkDefaults.applicationName },
    schema: { type: 'string', pattern: sqlIdentifierPattern, default: sinkDefaults.schema },
    rawRetentionDays: days(sinkDefaults.rawRetentionDays, 'Raw results older than this are dropped.'),
    hourlyRetentionDays: days(sinkDefaults.hourlyRetentionDays, 'Hourly rollups older than this are dropped; at least rawRetentionDays.'),
    dailyRetentionDays: days(sinkDefaults.dailyRetentionDays, 'Daily rollups older than this are dropped; at least hourlyRetentionDays.'),
    partitionsAhead: { type: 'integer', minimum: 1, maximum: 366, default: sinkDefaults.partitionsAhead },
    maintenanceIntervalMs: { type: 'integer', minimum: 1000, maximum: 86_400_000, default: sinkDefaults.maintenanceIntervalMs },
  },
} as const;

/** SinkOptions after validation, defaults applied. */
export interface ResolvedSinkOptions {
  sql?: postgres.Sql;
  url?: string;
  ssl?: SinkSslOptions;
  poolSize: number;
  connectTimeoutMs: number;
  applicationName: string;
  schema: string;
  rawRetentionDays: number;
  hourlyRetentionDays: number;
  dailyRetentionDays: number;
  partitionsAhead: number;
  maintenanceIntervalMs: number;
  logger?: Logger;
  now: () => Date;
  onInserted?: InsertedHook | undefined;
}

// What only code can pass: an existing client (then no url), a logger, a clock, a hook.
const librarySchema = {
  ...pgSinkOptionsSchema,
  required: [],
  properties: {
    ...pgSinkOptionsSchema.properties,
    sql: { typeof: 'function' },
    logger: { typeof: 'object' },
    now: { typeof: 'function' },
    onInserted: { typeof: 'function' },
  },
} as const;

const validate = compileOptions<ResolvedSinkOptions>(librarySchema);

/** What the schema cannot say about options it accepted. */
function rules(options: ResolvedSinkOptions): Problem[] {
  const problems: Problem[] = [];
  if (options.sql !== undefined && options.url !== undefined) problems.push({ path: '/sql', message: 'and url exclude each other: pass one' });
  if (options.sql === undefined && options.url === undefined) problems.push({ path: '/url', message: 'is required (or pass an existing client as sql)' });
  if (options.sql !== undefined && options.ssl !== undefined) problems.push({ path: '/ssl', message: 'applies to url only: configure TLS on the client passed as sql' });
  if (options.hourlyRetentionDays < options.rawRetentionDays) {
    problems.push({ path: '/hourlyRetentionDays', message: `must be at least rawRetentionDays (${options.rawRetentionDays})` });
  }
  if (options.dailyRetentionDays < options.hourlyRetentionDays) {
    problems.push({ path: '/dailyRetentionDays', message: `must be at least hourlyRetentionDays (${options.hourlyRetentionDays})` });
  }
  return problems;
}

function prepare(options: SinkOptions): { settings?: ResolvedSinkOptions; plan?: ConnectionPlan; problems: Problem[] } {
  const { value, problems } = validate(options);
  if (problems.length === 0) problems.push(...rules(value));
  if (problems.length > 0) return { problems };
  const settings = { ...value, now: value.now ?? (() => new Date()) };
  if (settings.url === undefined) return { settings, problems };
  // The URL's TLS parameters, and the CA file (read now).
  const { plan, problems: planProblems } = planConnection(settings.url, settings.ssl);
  return planProblems.length > 0 ? { problems: planProblems } : { settings, plan: plan!, problems };
}

/**
 * Everything wrong with sink options, by JSON Pointer (e.g. `/ssl/caFile`), as createSink()
 * would refuse them, without connecting; empty when they are fine. The CA file is read to check it.
 */
export function checkSinkOptions(options: SinkOptions): Problem[] {
  return prepare(options).problems;
}

/**
 * Checks options once, at construction, fills in defaults and plans the connection (with
 * `url`). Throws ERR_SINK_INVALID_OPTIONS listing every problem; never echoes the URL.
 */
export function resolveSinkOptions(options: SinkOptions): { settings: ResolvedSinkOptions; plan?: ConnectionPlan } {
  const { settings, plan, problems } = prepare(options);
  if (problems.length > 0) throw new SinkError('ERR_SINK_INVALID_OPTIONS', 'invalid sink options', { problems });
  return { settings: settings!, ...(plan && { plan }) };
}
