// A local HTTP server in a child process, so that in the benchmarks the checker's process
// spends its CPU on the client side only. Every response asks the client to close the
// connection: each request is a fresh TCP connection, as in a real check.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const serverSource = `
const http = require('node:http');
const body = Buffer.from('<html><body>' + 'All systems operational. '.repeat(40) + '</body></html>');
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html', 'content-length': body.length, connection: 'close' });
  res.end(body);
});
server.listen(0, '127.0.0.1', 511, () => console.log(server.address().port));
`;

/** A running server: its base URL and how to stop it. */
export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the server in a child Node.js process and waits for its port. */
export async function startLocalServer(): Promise<LocalServer> {
  const child: ChildProcess = spawn(process.execPath, ['-e', serverSource], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [port] = (await once(lines, 'line')) as [string];
  lines.close();
  return {
    url: `http://127.0.0.1:${port.trim()}`,
    close: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/** The p-th percentile (0-100) of sorted numbers, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
