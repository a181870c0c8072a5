// PostgreSQL for development and tests: DATABASE_URL when set; otherwise the local server on
// 127.0.0.1 (port 5432, or SITEWATCH_POSTGRES_PORT), started with pg_ctlcluster when it is
// installed but down; otherwise, when nothing listens there, the embedded server
// (embedded-postgres.ts) on that port.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import postgres from 'postgres';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { StackError } from './kafka.js';

/** The port of the installed server, where pg_ctlcluster's clusters listen. */
const defaultPort = 5432;

/** The local server's URL: the postgres user, trust, on 127.0.0.1. */
export function localDatabaseUrl(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

/** The URL with any password replaced, fit for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable database URL)';
  }
}

/** Undefined when the server answers a query; else why not, and whether nothing listens at all. */
async function unreachable(url: string): Promise<{ message: string; refused: boolean } | undefined> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => undefined });
  try {
    await sql`select 1`;
    return undefined;
  } catch (error) {
    return { message: (error as Error).message, refused: (error as NodeJS.ErrnoException).code === 'ECONNREFUSED' };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Installed PostgreSQL clusters' versions (Debian layout), newest first. */
function localClusters(): string[] {
  if (!fs.existsSync('/etc/postgresql')) return [];
  return fs.readdirSync('/etc/postgresql').sort((a, b) => Number(b) - Number(a));
}

/** Where to look for PostgreSQL, and where the embedded server would live. */
export interface PostgresOptions {
  /** DATABASE_URL: when set, the server that must answer. */
  databaseUrl?: string;
  /** The local server's port on 127.0.0.1 (SITEWATCH_POSTGRES_PORT, default 5432). */
  port: number;
  /** The stack's folder, which holds the embedded server's. */
  stackDir: string;
}

export interface PostgresEndpoint {
  databaseUrl: string;
  /** The local cluster version this call started with pg_ctlcluster, if it had to start one. */
  started?: string;
  /** The embedded server this call started, if nothing else was there. */
  embedded?: EmbeddedPostgres;
}

/** Starts the installed cluster (Debian's pg_ctlcluster) and checks that it answers. */
async function startInstalled(cluster: string, url: string): Promise<PostgresEndpoint> {
  const result = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster, 'main', 'start'], { encoding: 'utf8' });
  const problem = await unreachable(url);
  if (problem !== undefined) throw new StackError(`PostgreSQL ${cluster} did not come up at ${url}: ${problem.message}\n${result.stdout}${result.stderr}`);
  return { databaseUrl: url, started: cluster };
}

/**
 * Makes sure PostgreSQL answers: DATABASE_URL's, else the local server, started when it is
 * installed but down, else the embedded server, started when nothing listens on the port.
 */
export async function ensurePostgres(options: PostgresOptions): Promise<PostgresEndpoint> {
  const url = options.databaseUrl ?? localDatabaseUrl(options.port);
  const problem = await unreachable(url);
  if (problem === undefined) return { databaseUrl: url };
  if (options.databaseUrl !== undefined) {
    throw new StackError(`PostgreSQL at DATABASE_URL (${redactUrl(url)}) does not answer: ${problem.message}`);
  }
  if (!problem.refused) {
    throw new StackError(
      `something listens at ${url} but does not answer as a PostgreSQL server that lets the postgres user in without a password (${problem.message}): set DATABASE_URL to use it, or SITEWATCH_POSTGRES_PORT to run the embedded PostgreSQL on another port.`,
    );
  }
  const [cluster] = options.port === defaultPort ? localClusters() : [];
  if (cluster !== undefined) return startInstalled(cluster, url);
  const embedded = await startEmbeddedPostgres(options.stackDir, options.port);
  const after = await unreachable(url);
  if (after !== undefined) throw new StackError(`the embedded PostgreSQL started but does not answer at ${url}: ${after.message}`);
  return { databaseUrl: url, embedded };
}

/** Stops a local cluster that ensurePostgres() started. */
export function stopPostgres(cluster: string): void {
  spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster, 'main', 'stop'], { encoding: 'utf8' });
}
