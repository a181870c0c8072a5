// Local websites with known behaviours for the end-to-end tests, on 127.0.0.1 and port 0.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { freePort } from '../../../tools/testing/ports.js';

export const welcomePage = '<html><body><h1>Welcome</h1>All systems operational</body></html>';

export interface Sites {
  /** Base URL of the server (no trailing slash): /ok, /error, /slow, /flip. */
  base: string;
  /** Makes /flip answer 503 (failing) or 200 with the welcome page (the start). */
  setFailing(failing: boolean): void;
  /** A URL where nothing listens: connections are refused. */
  refused: string;
  close(): Promise<void>;
}

/** Starts the sites: `/ok` 200, `/error` 500, `/slow` answers after 5 s, `/flip` as the test sets it. */
export async function startSites(): Promise<Sites> {
  const sockets = new Set<Socket>();
  let failing = false;
  const server = http.createServer((req, res) => {
    if (req.url === '/ok' || (req.url === '/flip' && !failing)) return void res.writeHead(200, { 'content-type': 'text/html' }).end(welcomePage);
    if (req.url === '/flip') return void res.writeHead(503).end('down for the test');
    if (req.url === '/error') return void res.writeHead(500).end('internal error');
    if (req.url === '/slow') {
      const timer = setTimeout(() => res.writeHead(200).end(welcomePage), 5000);
      return void req.socket.once('close', () => clearTimeout(timer));
    }
    res.writeHead(404).end('not found');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const refusedPort = await freePort();
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused: `http://127.0.0.1:${refusedPort}/`,
    setFailing: (value) => void (failing = value),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A site whose answer the test switches: 200, or 503 while `failing`. */
export interface SwitchableSite {
  url: string;
  failing: boolean;
  close(): Promise<void>;
}

/** Starts a switchable site, answering 200. */
export async function startSwitchableSite(): Promise<SwitchableSite> {
  const state = { failing: false };
  const server = http.createServer((_req, res) => void res.writeHead(state.failing ? 503 : 200).end(state.failing ? 'down' : 'fine'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
