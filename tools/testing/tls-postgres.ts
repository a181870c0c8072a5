// A throwaway PostgreSQL cluster that only accepts TLS (hostssl + scram-sha-256), with a
// server certificate for 127.0.0.1 from a fresh CA: for the TLS and secrets tests. The
// cluster is pg-cluster.ts's: from the server binaries of any major, as the current user
// (as root, as the postgres user).
import fs from 'node:fs/promises';
import path from 'node:path';
import { createCertificateAuthority } from './certs.js';
import { startPgCluster } from './pg-cluster.js';

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

/** Starts the cluster: listening on 127.0.0.1 and 127.0.0.2 (the certificate names only the first). */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const ca = await createCertificateAuthority('sitewatch test PostgreSQL CA');
  const other = await createCertificateAuthority('some other CA');
  const server = await ca.issue({ commonName: '127.0.0.1', hosts: ['127.0.0.1'] });
  const { dir, port, close } = await startPgCluster({
    password,
    files: { 'server.crt': server.cert, 'server.key': server.key },
    settings: ['ssl = on', 'max_connections = 20', 'shared_buffers = 16MB'],
    hba: 'hostssl all all 127.0.0.0/8 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n',
  });
  const caFile = path.join(dir, 'ca.pem');
  const otherCaFile = path.join(dir, 'other-ca.pem');
  try {
    await fs.writeFile(caFile, ca.cert);
    await fs.writeFile(otherCaFile, other.cert);
  } catch (error) {
    await close();
    throw error;
  }
  return { port, password, caFile, otherCaFile, close };
}
