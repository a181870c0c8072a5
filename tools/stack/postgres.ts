// PostgreSQL for development and tests: DATABASE_URL when set, otherwise the local server
// on 127.0.0.1:5432, started with pg_ctlcluster when it is installed but down.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import postgres from 'postgres';
import { StackError } from './kafka.js';

export const localDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

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

async function reachable(url: string): Promise<string | undefined> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => undefined });
  try {
    await sql`select 1`;
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Installed PostgreSQL clusters' versions (Debian layout), newest first. */
function localClusters(): string[] {
  if (!fs.existsSync('/etc/postgresql')) return [];
  return fs.readdirSync('/etc/postgresql').sort((a, b) => Number(b) - Number(a));
}

export interface PostgresEndpoint {
  databaseUrl: string;
  /** The local cluster version this call started, if it had to start one. */
  started?: string;
}

/** Makes sure PostgreSQL answers; starts the local cluster when needed and possible. */
export async function ensurePostgres(databaseUrl = process.env.DATABASE_URL): Promise<PostgresEndpoint> {
  const url = databaseUrl ?? localDatabaseUrl;
  const firstError = await reachable(url);
  if (firstError === undefined) return { databaseUrl: url };
  if (databaseUrl !== undefined) {
    throw new StackError(`PostgreSQL at DATABASE_URL (${redactUrl(url)}) does not answer: ${firstError}`);
  }
  const [cluster] = localClusters();
  if (cluster === undefined) {
    throw new StackError(`No PostgreSQL answers at ${url} (${firstError}) and none is installed here; install it or set DATABASE_URL.`);
  }
  const result = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster, 'main', 'start'], { encoding: 'utf8' });
  const secondError = await reachable(url);
  if (secondError !== undefined) {
    throw new StackError(`PostgreSQL ${cluster} did not come up at ${url}: ${secondError}\n${result.stdout}${result.stderr}`);
  }
  return { databaseUrl: url, started: cluster };
}

/** Stops a local cluster that ensurePostgres() started. */
export function stopPostgres(cluster: string): void {
  spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster, 'main', 'stop'], { encoding: 'utf8' });
}
