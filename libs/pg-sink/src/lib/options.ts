// The sink's options: their types, defaults, the JSON Schema fragment for a YAML config,
// and the checks run once at construction (a typo or an impossible value fails there,
// named by its path, never later in the middle of a write).
import type { Logger } from '@sitewatch/schema';
import type postgres from 'postgres';
import { SinkError } from './errors.js';

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
  /** CA certificate(s) to trust, PEM file (default: the system CAs, or the URL's `sslrootcert`). */
  caFile?: string;
  /** CA certificate(s) to trust, PEM text (instead of `caFile`). */
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
}

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
const schemaNamePattern = '^[a-z_][a-z0-9_]{0,62}$';
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
    },
    poolSize: { type: 'integer', minimum: 1, maximum: 100, default: sinkDefaults.poolSize },
    connectTimeoutMs: { type: 'integer', minimum: 100, maximum: 600_000, default: sinkDefaults.connectTimeoutMs },
    applicationName: { type: 'string', minLength: 1, maxLength: 63, default: sinkDefaults.applicationName },
    schema: { type: 'string', pattern: schemaNamePattern, default: sinkDefaults.schema },
    rawRetentionDays: days(sinkDefaults.rawRetentionDays, 'Raw results older than this are dropped.'),
    hourlyRetentionDays: days(sinkDefaults.hourlyRetentionDays, 'Hourly rollups older than this are dropped.'),
    dailyRetentionDays: days(sinkDefaults.dailyRetentionDays, 'Daily rollups older than this are dropped.'),
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
}

const knownKeys = new Set([...Object.keys(pgSinkOptionsSchema.properties), 'sql', 'logger', 'now']);

function invalid(path: string, message: string): never {
  throw new SinkError('ERR_SINK_INVALID_OPTIONS', `${path} ${message}`);
}

function integer(options: SinkOptions, key: keyof typeof sinkDefaults & keyof SinkOptions, min: number, max: number): number {
  const value = options[key] ?? sinkDefaults[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) invalid(key, `must be an integer from ${min} to ${max}`);
  return value;
}

function checkSsl(ssl: unknown): SinkSslOptions | undefined {
  if (ssl === undefined) return undefined;
  if (typeof ssl !== 'object' || ssl === null || Array.isArray(ssl)) invalid('ssl', 'must be an object');
  for (const key of Object.keys(ssl)) if (!['mode', 'caFile', 'ca'].includes(key)) invalid(`ssl.${key}`, 'is not a known option');
  const { mode, caFile, ca } = ssl as SinkSslOptions;
  if (mode !== undefined && !sslModes.includes(mode)) invalid('ssl.mode', `must be one of: ${sslModes.join(', ')}`);
  if (caFile !== undefined && (typeof caFile !== 'string' || caFile === '')) invalid('ssl.caFile', 'must be a non-empty string');
  if (ca !== undefined && (typeof ca !== 'string' || ca === '')) invalid('ssl.ca', 'must be a non-empty string');
  if (ca !== undefined && caFile !== undefined) invalid('ssl', 'takes ca or caFile, not both');
  return ssl as SinkSslOptions;
}

function checkConnection(options: SinkOptions): void {
  if (options.sql !== undefined && options.url !== undefined) invalid('sql', 'and url exclude each other: pass one');
  if (options.sql === undefined && options.url === undefined) invalid('url', 'is required (or pass an existing client as sql)');
  if (options.sql !== undefined && typeof options.sql !== 'function') invalid('sql', 'must be a postgres.js client');
  // Never echo the URL: it may hold a password.
  if (options.url !== undefined && (typeof options.url !== 'string' || !/^postgres(ql)?:\/\/./.test(options.url))) invalid('url', 'must be a postgres:// or postgresql:// URL');
  if (options.sql !== undefined && options.ssl !== undefined) invalid('ssl', 'applies to url only: configure TLS on the client passed as sql');
}

/** Checks options once, at construction, and fills in defaults. Throws ERR_SINK_INVALID_OPTIONS naming the option. */
export function resolveSinkOptions(options: SinkOptions): ResolvedSinkOptions {
  if (typeof options !== 'object' || options === null) invalid('options', 'must be an object');
  for (const key of Object.keys(options)) if (!knownKeys.has(key)) invalid(key, 'is not a known option');
  checkConnection(options);
  const schema = options.schema ?? sinkDefaults.schema;
  if (typeof schema !== 'string' || !new RegExp(schemaNamePattern).test(schema)) invalid('schema', 'must be a lower-case SQL identifier (a-z, 0-9, _), at most 63 characters');
  const applicationName = options.applicationName ?? sinkDefaults.applicationName;
  if (typeof applicationName !== 'string' || applicationName === '' || applicationName.length > 63) invalid('applicationName', 'must be 1 to 63 characters');
  if (options.now !== undefined && typeof options.now !== 'function') invalid('now', 'must be a function');
  const resolved: ResolvedSinkOptions = {
    ...(options.sql === undefined ? {} : { sql: options.sql }),
    ...(options.url === undefined ? {} : { url: options.url }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ssl: checkSsl(options.ssl),
    poolSize: integer(options, 'poolSize', 1, 100),
    connectTimeoutMs: integer(options, 'connectTimeoutMs', 100, 600_000),
    applicationName,
    schema,
    rawRetentionDays: integer(options, 'rawRetentionDays', 1, maxDays),
    hourlyRetentionDays: integer(options, 'hourlyRetentionDays', 1, maxDays),
    dailyRetentionDays: integer(options, 'dailyRetentionDays', 1, maxDays),
    partitionsAhead: integer(options, 'partitionsAhead', 1, 366),
    maintenanceIntervalMs: integer(options, 'maintenanceIntervalMs', 1000, 86_400_000),
    now: options.now ?? (() => new Date()),
  };
  if (resolved.hourlyRetentionDays < resolved.rawRetentionDays) invalid('hourlyRetentionDays', 'must be at least rawRetentionDays');
  if (resolved.dailyRetentionDays < resolved.hourlyRetentionDays) invalid('dailyRetentionDays', 'must be at least hourlyRetentionDays');
  if (resolved.ssl === undefined) delete resolved.ssl;
  return resolved;
}
