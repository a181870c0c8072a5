// A throwaway PostgreSQL cluster that only accepts TLS (hostssl + scram-sha-256), with a
// server certificate for 127.0.0.1 from a fresh CA: for the TLS and secrets tests. Needs the
// PostgreSQL 15 server binaries and root (initdb runs as the postgres user via runuser).
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createCertificateAuthority } from './certs.js';
import { freePort } from './ports.js';

const run = promisify(execFile);
const bin = process.env.SITEWATCH_PG_BIN ?? '/usr/lib/postgresql/15/bin';

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

const asPostgres = (args: string[]) => run('runuser', ['-u', 'postgres', '--', ...args], { timeout: 60_000 });

/** Makes, configures and starts the cluster in `dir`. */
async function startCluster(dir: string): Promise<Omit<TlsPostgres, 'close'>> {
  const data = path.join(dir, 'data');
  const { stdout } = await run('id', ['-u', 'postgres']);
  const uid = Number(stdout.trim());
  const { stdout: gidOut } = await run('id', ['-g', 'postgres']);
  await fs.chown(dir, uid, Number(gidOut.trim()));
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const pwfile = path.join(dir, 'pwfile');
  await fs.writeFile(pwfile, password, { mode: 0o600 });
  await fs.chown(pwfile, uid, Number(gidOut.trim()));
  await asPostgres([`${bin}/initdb`, '-D', data, '-U', 'postgres', '-A', 'scram-sha-256', `--pwfile=${pwfile}`, '--no-sync', '-E', 'UTF8']);

  const ca = await createCertificateAuthority('sitewatch test PostgreSQL CA');
  const other = await createCertificateAuthority('some other CA');
  const server = await ca.issue({ commonName: '127.0.0.1', hosts: ['127.0.0.1'] });
  await fs.writeFile(path.join(data, 'server.crt'), server.cert);
  await fs.writeFile(path.join(data, 'server.key'), server.key, { mode: 0o600 });
  await run('chown', [`${uid}`, path.join(data, 'server.crt'), path.join(data, 'server.key')]);
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
  await asPostgres([`${bin}/pg_ctl`, '-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', 'start']);
  return { port, password, caFile, otherCaFile };
}

/** Starts the cluster: listening on 127.0.0.1 and 127.0.0.2 (the certificate names only the first). */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sitewatch-pg-tls-'));
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await asPostgres([`${bin}/pg_ctl`, '-D', path.join(dir, 'data'), '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await fs.rm(dir, { recursive: true, force: true });
    })();
    return closing;
  };
  try {
    return { ...(await startCluster(dir)), close };
  } catch (error) {
    // Half made (initdb or the start failed): nothing of it stays behind.
    await close();
    throw error;
  }
}
