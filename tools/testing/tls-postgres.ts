// A throwaway PostgreSQL cluster that only accepts TLS (hostssl + scram-sha-256), with a
// server certificate for 127.0.0.1 from a fresh CA: for the TLS and secrets tests. Needs the
// server binaries (initdb, pg_ctl) of any PostgreSQL major: SITEWATCH_PG_BIN, else
// `pg_config --bindir`, else /usr/lib/postgresql/<major>/bin (Debian and Ubuntu). Runs as the
// current user; as root (which initdb refuses) as the postgres user, through runuser.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createCertificateAuthority } from './certs.js';
import { freePort } from './ports.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

const hasServer = (dir: string) => ['initdb', 'pg_ctl'].every((name) => existsSync(path.join(dir, name)));

/** The folder of initdb and pg_ctl; an error naming where it looked when there is none. */
async function serverBin(): Promise<string> {
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

export interface TlsPostgres {
  port: number;
  /** The superuser's password (scram-sha-256). */
  password: string;
  /** PEM file of the CA that signed the server certificate. */
  caFile: string;
  /** PEM file of another CA, which did not. */
  otherCaFile: string;
  /** Stops the cluster and deletes its files. */
  close(): Promise<void>;
}

/** Runs a server binary as the cluster's owner: this user, or postgres when this is root. */
const asOwner = (args: string[]) => (isRoot ? run('runuser', ['-u', 'postgres', '--', ...args], { timeout: 60_000 }) : run(args[0]!, args.slice(1), { timeout: 60_000 }));

/** Hands `files` to the postgres user when this is root (initdb and the server run as it). */
async function giveToOwner(...files: string[]): Promise<void> {
  if (!isRoot) return;
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  for (const file of files) await fs.chown(file, Number(uid.trim()), Number(gid.trim()));
}

/** Makes, configures and starts the cluster in `dir`. */
async function startCluster(dir: string, bin: string): Promise<Omit<TlsPostgres, 'close'>> {
  const data = path.join(dir, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const pwfile = path.join(dir, 'pwfile');
  await fs.writeFile(pwfile, password, { mode: 0o600 });
  await giveToOwner(dir, pwfile);
  await asOwner([`${bin}/initdb`, '-D', data, '-U', 'postgres', '-A', 'scram-sha-256', `--pwfile=${pwfile}`, '--no-sync', '-E', 'UTF8']);

  const ca = await createCertificateAuthority('sitewatch test PostgreSQL CA');
  const other = await createCertificateAuthority('some other CA');
  const server = await ca.issue({ commonName: '127.0.0.1', hosts: ['127.0.0.1'] });
  await fs.writeFile(path.join(data, 'server.crt'), server.cert);
  await fs.writeFile(path.join(data, 'server.key'), server.key, { mode: 0o600 });
  await giveToOwner(path.join(data, 'server.crt'), path.join(data, 'server.key'));
  const caFile = path.join(dir, 'ca.pem');
  const otherCaFile = path.join(dir, 'other-ca.pem');
  await fs.writeFile(caFile, ca.cert);
  await fs.writeFile(otherCaFile, other.cert);

  const port = await freePort();
  await fs.appendFile(
    path.join(data, 'postgresql.conf'),
    [`port = ${port}`, "listen_addresses = '127.0.0.1,127.0.0.2'", `unix_socket_directories = '${dir}'`, 'ssl = on', 'fsync = off', 'max_connections = 20', 'shared_buffers = 16MB', ''].join('\n'),
  );
  await fs.writeFile(path.join(data, 'pg_hba.conf'), 'hostssl all all 127.0.0.0/8 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n');
  await asOwner([`${bin}/pg_ctl`, '-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', 'start']);
  return { port, password, caFile, otherCaFile };
}

/** Starts the cluster: listening on 127.0.0.1 and 127.0.0.2 (the certificate names only the first). */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const bin = await serverBin();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sitewatch-pg-tls-'));
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await asOwner([`${bin}/pg_ctl`, '-D', path.join(dir, 'data'), '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await fs.rm(dir, { recursive: true, force: true });
    })();
    return closing;
  };
  try {
    return { ...(await startCluster(dir, bin)), close };
  } catch (error) {
    // Half made (initdb or the start failed): nothing of it stays behind.
    await close();
    throw error;
  }
}
