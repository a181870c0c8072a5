// The benchmark's targets: one local HTTP server, a page per target at /t/<id>, each in a mode
// the benchmark sets: up (200 at once), down (503) or slow (200 after `slowDelayMs`).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type SiteMode = 'up' | 'down' | 'slow';

export interface ModeSites {
  /** The URL of a target's page. */
  url(id: string): string;
  set(ids: readonly string[], mode: SiteMode): void;
  close(): Promise<void>;
}

export async function startModeSites(slowDelayMs: number): Promise<ModeSites> {
  const modes = new Map<string, SiteMode>();
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const mode = modes.get(decodeURIComponent(req.url!.slice('/t/'.length))) ?? 'up';
    if (mode === 'down') return void res.writeHead(503).end('down');
    const answer = () => void res.writeHead(200, { 'content-type': 'text/plain' }).end('up');
    if (mode === 'up') return answer();
    const timer = setTimeout(answer, slowDelayMs);
    return void req.socket.once('close', () => clearTimeout(timer));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (id) => `${base}/t/${encodeURIComponent(id)}`,
    set: (ids, mode) => ids.forEach((id) => modes.set(id, mode)),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
