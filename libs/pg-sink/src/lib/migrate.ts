// Numbered SQL migrations (migrations/00001_name.sql, ...) applied in order, each in its
// own transaction that first takes a transaction-level advisory lock, so two processes
// starting together apply every migration exactly once (the second waits, then sees it
// done). Applied versions are recorded with a checksum in <schema>.schema_migrations.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { noopLogger, type Logger } from '@sitewatch/schema';
import type postgres from 'postgres';
import { SinkError, toSinkError } from './errors.js';
import { transaction } from './transaction.js';

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** SHA-256 of the file, hex: an applied migration whose file changed is an error. */
  checksum: string;
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
  /** Folder of the migration files (default: the package's own `migrations/`; another one is for tests). */
  directory?: URL | string;
}

/** Where the migration files are: `migrations/` at the package root, from src/lib or dist/lib alike. */
export const migrationsDirectory = new URL('../../migrations/', import.meta.url);

const fileName = /^(\d{5})_([a-z0-9_]+)\.sql$/;
const schemaName = /^[a-z_][a-z0-9_]{0,62}$/;

function migrationError(message: string): SinkError {
  return new SinkError('ERR_SINK_MIGRATION', message);
}

/** Orders migration files by version and checks the numbering: 1, 2, 3... without gaps or repeats. */
export function planMigrations(files: { file: string; sql: string }[]): Migration[] {
  const migrations = files
    .filter(({ file }) => file.endsWith('.sql'))
    .map(({ file, sql }) => {
      const match = fileName.exec(file);
      if (!match) throw migrationError(`migration file ${file} is not named like 00001_name.sql`);
      return { version: Number(match[1]), name: match[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') };
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
  const names = await fs.readdir(dir);
  const files = await Promise.all(names.map(async (file) => ({ file, sql: await fs.readFile(path.join(dir, file), 'utf8') })));
  return planMigrations(files);
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
    if (file.checksum !== row.checksum || file.name !== row.name) {
      throw migrationError(`migration ${row.version} (${row.name}) was applied from a different file than ${file.version}_${file.name}.sql: migrations must never change once applied`);
    }
  }
  return migrations[applied.length];
}

async function applyNext(tx: postgres.TransactionSql, schema: string, migrations: Migration[]): Promise<{ migration?: Migration; version: number }> {
  // The lock is held until this transaction ends; it also covers creating the schema.
  await tx`select pg_advisory_xact_lock(hashtextextended(${`sitewatch:migrate:${schema}`}, 0))`;
  await tx`create schema if not exists ${tx(schema)}`;
  await tx`
    create table if not exists ${tx(`${schema}.schema_migrations`)} (
      version integer primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`;
  const applied = await tx<AppliedRow[]>`select version, name, checksum from ${tx(`${schema}.schema_migrations`)} order by version`;
  const migration = nextMigration(applied, migrations);
  if (migration === undefined) return { version: applied.length };
  await tx`select set_config('search_path', quote_ident(${schema}), true)`;
  await tx.unsafe(migration.sql).simple();
  await tx`
    insert into ${tx(`${schema}.schema_migrations`)} (version, name, checksum)
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
  if (!schemaName.test(schema)) {
    throw new SinkError('ERR_SINK_INVALID_OPTIONS', 'invalid migrate options', { problems: [{ path: '/schema', message: 'must be a lower-case SQL identifier (a-z, 0-9, _)' }] });
  }
  const log = (options.logger ?? noopLogger).child({ component: 'pg-sink', schema });
  const migrations = await loadMigrations(options.directory);
  const result: MigrateResult = { applied: [], version: 0 };
  for (;;) {
    const started = performance.now();
    let step: { migration?: Migration; version: number };
    try {
      step = await transaction(sql, (tx) => applyNext(tx, schema, migrations));
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

/** The latest migration version this release ships. */
export async function latestVersion(): Promise<number> {
  return (await loadMigrations()).length;
}

/**
 * A once-per-sink check that `schema` is migrated to this release (retried after a
 * failure): ERR_SINK_NOT_MIGRATED, retriable, until `migrate` has run.
 */
export function createSchemaCheck(sql: postgres.Sql, schema: string): { ready(): Promise<void>; reset(): void } {
  let ready: Promise<void> | undefined;

  async function version(): Promise<number> {
    try {
      const [row] = await sql<{ version: number | null }[]>`select max(version)::integer as version from ${sql(`${schema}.schema_migrations`)}`;
      return row?.version ?? 0;
    } catch (error) {
      if ((error as { code?: unknown }).code === '42P01') return 0; // no migrations table yet
      throw error;
    }
  }

  async function check(): Promise<void> {
    const [current, expected] = await Promise.all([version(), latestVersion()]);
    if (current < expected) {
      throw new SinkError('ERR_SINK_NOT_MIGRATED', `schema ${schema} is at migration ${current}, this release needs ${expected}: run migrate`, { retriable: true });
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
