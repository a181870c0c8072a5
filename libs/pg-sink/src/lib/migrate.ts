// Numbered SQL migrations (migrations/00001_name.sql, ...) applied in order, each in its
// own transaction that first takes a transaction-level advisory lock, so two processes
// starting together apply every migration exactly once (the second waits, then sees it
// done). Applied versions are recorded with a checksum of their SQL without comments
// (migration-checksum.ts) in a ledger table of the schema: <schema>.schema_migrations for the
// sink's own set; another package that keeps tables in the same schema (alerts) runs its own
// set through this runner with a ledger of its own.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { noopLogger, type Logger } from '@sitewatch/schema';
import type postgres from 'postgres';
import { SinkError, toSinkError } from './errors.js';
import { earlierChecksums, migrationChecksum, readPreviousChecksums } from './migration-checksum.js';
import { isSqlIdentifier } from './identifier.js';
import { transaction } from './transaction.js';

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** SHA-256 of the SQL without comments, hex: an applied migration whose SQL changed is an error. */
  checksum: string;
  /** Checksums earlier releases recorded for this file (of its whole text): accepted, and rewritten to `checksum`. */
  earlier: string[];
}

/** What `migrate()` did. */
export interface MigrateResult {
  /** Versions applied by this call, in order (empty when the schema was up to date). */
  applied: number[];
  /** The schema's version afterwards. */
  version: number;
}

/** Options of `migrate()`. */
export interface MigrateOptions {
  /** Schema to migrate, created when missing (default `sitewatch`). */
  schema?: string;
  /** Logger (default: none). */
  logger?: Logger;
  /** Folder of the migration files (default: the package's own `migrations/`; another package's set, or one for tests). */
  directory?: URL | string;
  /** Table recording the set's applied versions, in `schema` (default `schema_migrations`: the sink's own set). */
  ledger?: string;
}

/** A set of migrations: its files (default: the sink's own) and the table that records which are applied. */
export interface MigrationSet {
  directory?: URL | string;
  ledger: string;
}

/** Where the migration files are: `migrations/` at the package root, from src/lib or dist/lib alike. */
export const migrationsDirectory = new URL('../../migrations/', import.meta.url);

const fileName = /^(\d{5})_([a-z0-9_]+)\.sql$/;
const identifierMessage = 'must be a lower-case SQL identifier (a-z, 0-9, _)';
const defaultLedger = 'schema_migrations';

function migrationError(message: string): SinkError {
  return new SinkError('ERR_SINK_MIGRATION', message);
}

/**
 * Orders migration files by version and checks the numbering: 1, 2, 3... without gaps or
 * repeats. `previous`: whole-file checksums of earlier texts, by file name.
 */
export function planMigrations(files: { file: string; sql: string }[], previous: Readonly<Record<string, readonly string[]>> = {}): Migration[] {
  const migrations = files
    .filter(({ file }) => file.endsWith('.sql'))
    .map(({ file, sql }) => {
      const match = fileName.exec(file);
      if (!match) throw migrationError(`migration file ${file} is not named like 00001_name.sql`);
      return { version: Number(match[1]), name: match[2]!, sql, checksum: migrationChecksum(sql), earlier: earlierChecksums(sql, previous[file]) };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw migrationError(`migration ${String(index + 1).padStart(5, '0')} is missing or doubled (found ${migration.version} in its place)`);
  });
  return migrations;
}

/** Reads and plans the migration files of a directory (default: the package's own). */
export async function loadMigrations(directory: URL | string = migrationsDirectory): Promise<Migration[]> {
  const dir = typeof directory === 'string' ? directory : fileURLToPath(directory);
  const names = (await fs.readdir(dir)).filter((file) => file.endsWith('.sql'));
  const files = await Promise.all(names.map(async (file) => ({ file, sql: await fs.readFile(path.join(dir, file), 'utf8') })));
  return planMigrations(files, await readPreviousChecksums(dir));
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/** Throws when what the database recorded does not match the files; returns the next migration to apply. */
export function nextMigration(applied: AppliedRow[], migrations: Migration[]): Migration | undefined {
  for (const row of applied) {
    const file = migrations[row.version - 1];
    if (file === undefined) continue; // applied by a newer release: nothing to check it against
    if ((file.checksum !== row.checksum && !file.earlier.includes(row.checksum)) || file.name !== row.name) {
      throw migrationError(`migration ${row.version} (${row.name}) was applied from a different file than ${file.version}_${file.name}.sql: the SQL of an applied migration must never change (its comments may)`);
    }
  }
  return migrations[applied.length];
}

/** The applied rows recorded with a checksum of an earlier release (checked by nextMigration), with the one to record now. */
export function outdatedChecksums(applied: AppliedRow[], migrations: Migration[]): { version: number; checksum: string }[] {
  return applied.flatMap((row) => {
    const file = migrations[row.version - 1];
    return file === undefined || file.checksum === row.checksum ? [] : [{ version: row.version, checksum: file.checksum }];
  });
}

async function applyNext(tx: postgres.TransactionSql, schema: string, ledger: string, migrations: Migration[]): Promise<{ migration?: Migration; version: number }> {
  // The lock is held until this transaction ends; it also covers creating the schema. One
  // lock per schema, whatever the set: the sets' migrations never run at the same time.
  await tx`select pg_advisory_xact_lock(hashtextextended(${`sitewatch:migrate:${schema}`}, 0))`;
  await tx`create schema if not exists ${tx(schema)}`;
  await tx`
    create table if not exists ${tx(`${schema}.${ledger}`)} (
      version integer primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`;
  const applied = await tx<AppliedRow[]>`select version, name, checksum from ${tx(`${schema}.${ledger}`)} order by version`;
  const migration = nextMigration(applied, migrations);
  for (const { version, checksum } of outdatedChecksums(applied, migrations)) {
    await tx`update ${tx(`${schema}.${ledger}`)} set checksum = ${checksum} where version = ${version}`;
  }
  if (migration === undefined) return { version: applied.length };
  await tx`select set_config('search_path', quote_ident(${schema}), true)`;
  await tx.unsafe(migration.sql).simple();
  await tx`
    insert into ${tx(`${schema}.${ledger}`)} (version, name, checksum)
    values (${migration.version}, ${migration.name}, ${migration.checksum})`;
  return { migration, version: migration.version };
}

/**
 * Brings `schema` up to the latest migration. Safe to run from several processes at once.
 * Throws ERR_SINK_MIGRATION (not retriable) when a migration fails (it is rolled back) or
 * when the files differ from what was applied; ERR_SINK_CONNECTION (retriable) when the
 * database cannot be reached.
 */
export async function migrate(sql: postgres.Sql, options: MigrateOptions = {}): Promise<MigrateResult> {
  const schema = options.schema ?? 'sitewatch';
  const ledger = options.ledger ?? defaultLedger;
  const problems = [
    ...(isSqlIdentifier(schema) ? [] : [{ path: '/schema', message: identifierMessage }]),
    ...(isSqlIdentifier(ledger) ? [] : [{ path: '/ledger', message: identifierMessage }]),
  ];
  if (problems.length > 0) throw new SinkError('ERR_SINK_INVALID_OPTIONS', 'invalid migrate options', { problems });
  const log = (options.logger ?? noopLogger).child({ component: 'pg-sink', schema, ...(options.ledger === undefined ? {} : { ledger }) });
  const migrations = await loadMigrations(options.directory);
  const result: MigrateResult = { applied: [], version: 0 };
  for (;;) {
    const started = performance.now();
    let step: { migration?: Migration; version: number };
    try {
      step = await transaction(sql, (tx) => applyNext(tx, schema, ledger, migrations));
    } catch (error) {
      throw toSinkError(error, 'ERR_SINK_MIGRATION', `migration ${String(result.version + 1).padStart(5, '0')}`);
    }
    result.version = step.version;
    if (step.migration === undefined) break;
    result.applied.push(step.migration.version);
    log.info({ version: step.migration.version, name: step.migration.name, durationMs: Math.round(performance.now() - started) }, 'migration applied');
  }
  if (result.version > migrations.length) log.warn({ version: result.version, known: migrations.length }, 'database schema is newer than this release');
  log.info({ version: result.version, applied: result.applied.length }, 'schema up to date');
  return result;
}

/** The latest migration version of a set (default: the sink's own). */
export async function latestVersion(directory?: URL | string): Promise<number> {
  return (await loadMigrations(directory)).length;
}

/** A check that a schema holds a migration set's latest version: see `createSchemaCheck()`. */
export interface SchemaCheck {
  /** Resolves once the schema is known to be migrated; rejects with ERR_SINK_NOT_MIGRATED (retriable) until it is. */
  ready(): Promise<void>;
  /** Forgets the last answer (after `migrate()`). */
  reset(): void;
}

/**
 * A once-per-process check that `schema` is migrated to this release of a migration set
 * (default: the sink's own; retried after a failure): ERR_SINK_NOT_MIGRATED, retriable,
 * until `migrate` has run.
 */
export function createSchemaCheck(sql: postgres.Sql, schema: string, set: MigrationSet = { ledger: defaultLedger }): SchemaCheck {
  let ready: Promise<void> | undefined;

  async function version(): Promise<number> {
    try {
      const [row] = await sql<{ version: number | null }[]>`select max(version)::integer as version from ${sql(`${schema}.${set.ledger}`)}`;
      return row?.version ?? 0;
    } catch (error) {
      if ((error as { code?: unknown }).code === '42P01') return 0; // no migrations table yet
      throw error;
    }
  }

  async function check(): Promise<void> {
    const [current, expected] = await Promise.all([version(), latestVersion(set.directory)]);
    if (current < expected) {
      const which = set.ledger === defaultLedger ? '' : ` (${set.ledger})`;
      throw new SinkError('ERR_SINK_NOT_MIGRATED', `schema ${schema} is at migration ${current}${which}, this release needs ${expected}: run migrate`, { retriable: true });
    }
  }

  return {
    ready() {
      ready ??= check().catch((error: unknown) => {
        ready = undefined;
        throw toSinkError(error, 'ERR_SINK_QUERY', 'checking the schema version');
      });
      return ready;
    },
    reset() {
      ready = undefined;
    },
  };
}
