// The benchmarks' local servers, each in a child process so that the checker's process spends
// its CPU on the client side only: an HTTP or HTTPS site (every response asks the client to
// close the connection: each request is a fresh TCP connection and TLS handshake, as in a real
// check; a 1 KiB page, and at /health a 118-byte JSON health answer), and a DNS server
// (dns-child.ts).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createCertificateAuthority } from '../../tools/testing/certs.js';

const serverSource = `
const tls = process.env.BENCH_TLS_CERT ? { cert: process.env.BENCH_TLS_CERT, key: process.env.BENCH_TLS_KEY, minVersion: 'TLSv1.3' } : undefined;
const page = Buffer.from('<html><body>' + 'All systems operational. '.repeat(40) + '</body></html>');
const health = Buffer.from(JSON.stringify({ status: 'UP', version: '2.4.1', checks: { db: { status: 'UP', latencyMs: 12 }, cache: { status: 'UP', latencyMs: 1 } } }));
const handle = (req, res) => {
  const [body, type] = req.url === '/health' ? [health, 'application/json'] : [page, 'text/html'];
  res.writeHead(200, { 'content-type': type, 'content-length': body.length, connection: 'close' });
  res.end(body);
};
const server = tls ? require('node:https').createServer(tls, handle) : require('node:http').createServer(handle);
server.listen(0, '127.0.0.1', 511, () => console.log(server.address().port));
`;

/** A running server: where it is and how to stop it. */
export interface LocalServer {
  /** Base URL of a site (`http://127.0.0.1:<port>`), or `127.0.0.1:<port>` of a DNS server. */
  url: string;
  /** PEM of the CA that signed an HTTPS site's certificate. */
  ca?: string;
  close(): Promise<void>;
}

/** Runs `args` with this Node.js and waits for the port it prints on its first line. */
async function startChild(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ port: string; close(): Promise<void> }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const lines = createInterface({ input: child.stdout });
  const line: unknown[] = await once(lines, 'line');
  lines.close();
  return {
    port: String(line[0]).trim(),
    close: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/**
 * Starts the site: plain HTTP, or HTTPS (TLS 1.3 only, an ECDSA P-256 certificate from a
 * throwaway CA for 127.0.0.1 and every name under bench.test).
 */
export async function startLocalServer(scheme: 'http' | 'https' = 'http'): Promise<LocalServer> {
  if (scheme === 'http') {
    const child = await startChild(['-e', serverSource]);
    return { url: `http://127.0.0.1:${child.port}`, close: child.close };
  }
  const ca = await createCertificateAuthority('sitewatch bench CA');
  const { cert, key } = await ca.issue({ commonName: 'bench.test', hosts: ['127.0.0.1', '*.bench.test'] });
  const child = await startChild(['-e', serverSource], { BENCH_TLS_CERT: cert, BENCH_TLS_KEY: key });
  return { url: `https://127.0.0.1:${child.port}`, ca: ca.cert, close: child.close };
}

/** A DNS server (`dns-child.ts`): every name under bench.test is 127.0.0.1, answered after `delayMs`. */
export async function startLocalDnsServer(delayMs: number, port = 0): Promise<LocalServer> {
  const child = await startChild(['--import', 'tsx', path.join(import.meta.dirname, 'dns-child.ts'), String(delayMs), String(port)]);
  return { url: `127.0.0.1:${child.port}`, close: child.close };
}

/** The p-th percentile (0-100) of sorted numbers, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
