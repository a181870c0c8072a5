// Local websites with known behaviours for the checker's tests and benchmarks: one HTTP server
// and three HTTPS servers (a good certificate from a throwaway CA, an expired one, one for
// another host), all on 127.0.0.1 and port 0, plus a port where nothing listens.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { createCertificateAuthority } from '../../../tools/testing/certs.js';
import { freePort } from '../../../tools/testing/ports.js';
import { seededRandom } from '../../../tools/testing/random.js';

/** The sites, by base URL (no trailing slash). */
export interface TestSites {
  http: string;
  https: string;
  expiredHttps: string;
  wrongHostHttps: string;
  /** A base URL where the connection is refused. */
  refused: string;
  /** PEM of the CA that signed the certificates. */
  ca: string;
  /** notAfter of the expired certificate. */
  expiredNotAfter: Date;
  /** TCP connections accepted so far, over all servers. */
  connections(): number;
  /** TCP connections open now, over all servers. */
  openConnections(): number;
  /** TLS connections that resumed an earlier session instead of a full handshake. */
  resumedSessions(): number;
  /** Request headers of the last request to `/echo`, plus its path and query as `x-path`. */
  lastHeaders(): http.IncomingHttpHeaders | undefined;
  close(): Promise<void>;
}

/** Text of `/ok` and `/gzip`. */
export const welcomePage = '<html><head><title>Welcome</title></head><body>All systems operational</body></html>';
/**
 * How late past its timeout a check may settle in the tests: timers and teardown on a loaded
 * 2-core machine. Generous on purpose: a check that missed its deadline would wait for a site
 * that answers after seconds, or never.
 */
export const lateMarginMs = 1000;

/** Size of `/hostile`: the default body cap exactly. */
export const hostileBytes = 1024 * 1024;

const hostile = Buffer.alloc(hostileBytes, 'a');
hostile[hostileBytes - 1] = 0x21; // '!': `^(a+)+$` almost matches, the worst case for backtracking engines.
const gzipped = gzipSync(welcomePage);

/**
 * Pseudo-random base64 text from a fixed seed, on which some RE2 automata fall back to their
 * slow, still linear, simulation: about a second for 1 MiB.
 */
export function randomText(bytes: number, seed = 42): Uint8Array {
  const next = seededRandom(seed);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  return Uint8Array.from({ length: bytes }, () => alphabet.charCodeAt(Math.floor(next() * alphabet.length)));
}
const random = randomText(hostileBytes);

function later(req: http.IncomingMessage, ms: number, then: () => void): void {
  const timer = setTimeout(then, ms);
  req.socket.once('close', () => clearTimeout(timer));
}

/** Streams `bytes` bytes, respecting back-pressure, until done or the client goes away. */
function stream(res: http.ServerResponse, bytes: number, status = 200, headers: http.OutgoingHttpHeaders = { 'content-type': 'text/plain' }): void {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let left = bytes;
  const write = () => {
    while (left > 0 && !res.destroyed) {
      const part = chunk.subarray(0, Math.min(left, chunk.length));
      left -= part.length;
      if (!res.write(part)) return void res.once('drain', write);
    }
    if (!res.destroyed) res.end();
  };
  res.writeHead(status, headers);
  write();
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams) => void;

let lastHeaders: http.IncomingHttpHeaders | undefined;

const routes: Record<string, Handler> = {
  '/ok': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(welcomePage),
  '/echo': (req, res) => {
    lastHeaders = { ...req.headers, 'x-path': req.url };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers));
  },
  '/status': (_req, res, query) => res.writeHead(Number(query.get('code'))).end(`status ${query.get('code')}`),
  '/slow-headers': (req, res, query) => later(req, Number(query.get('ms')), () => res.writeHead(200).end('late')),
  '/slow-body': (req, res, query) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first part;');
    later(req, Number(query.get('ms')), () => res.end('second part'));
  },
  '/reset-before-response': (req) => req.socket.resetAndDestroy(),
  '/reset-mid-body': (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
    res.write(Buffer.alloc(1000, 'x'), () => later(req, 20, () => req.socket.resetAndDestroy()));
  },
  '/redirect-loop': (_req, res) => res.writeHead(302, { location: '/redirect-loop' }).end(),
  '/redirect': (_req, res, query) => {
    const hops = Number(query.get('hops'));
    res.writeHead(302, { location: hops > 1 ? `/redirect?hops=${hops - 1}` : '/ok' }).end();
  },
  '/huge': (_req, res, query) => stream(res, Number(query.get('bytes'))),
  // A redirect whose body goes on and on: a client that drains it instead of closing never finishes.
  '/redirect-endless-body': (_req, res) => stream(res, Number.MAX_SAFE_INTEGER, 302, { location: '/ok' }),
  '/gzip': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(gzipped),
  '/deflate': (_req, res) => res.writeHead(200, { 'content-encoding': 'deflate' }).end(deflateSync(welcomePage)),
  // Raw deflate, without the zlib header, as some servers send `deflate`.
  '/deflate-raw': (_req, res) => res.writeHead(200, { 'content-encoding': 'deflate' }).end(deflateRawSync(welcomePage)),
  '/brotli': (_req, res) => res.writeHead(200, { 'content-encoding': 'br' }).end(brotliCompressSync(welcomePage)),
  // A raw UTF-8 Location, as some servers send it.
  '/redirect-utf8': (req) => {
    req.socket.write(Buffer.concat([Buffer.from('HTTP/1.1 302 Found\r\nLocation: /echo?name='), Buffer.from('café'), Buffer.from('\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')]));
    req.socket.end();
  },
  '/redirect-to': (_req, res, query) => res.writeHead(Number(query.get('status') ?? 302), { location: query.get('url')! }).end(),
  '/hostile': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(hostile),
  '/random': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(random),
};

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const route = routes[url.pathname];
  if (route) route(req, res, url.searchParams);
  else res.writeHead(404).end('not found');
}

async function listen(server: http.Server | https.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Starts the sites; close() them after the tests. */
export async function startTestSites(): Promise<TestSites> {
  const ca = await createCertificateAuthority('checker test CA');
  const day = 24 * 60 * 60 * 1000;
  const expiredNotAfter = new Date(Math.floor((Date.now() - 2 * day) / 1000) * 1000);
  const [good, expired, wrongHost] = await Promise.all([
    ca.issue({ commonName: '127.0.0.1', hosts: ['127.0.0.1', 'localhost'] }),
    ca.issue({ commonName: '127.0.0.1', hosts: ['127.0.0.1', 'localhost'], notBefore: new Date(Date.now() - 10 * day), notAfter: expiredNotAfter }),
    ca.issue({ commonName: 'other.test', hosts: ['other.test'] }),
  ]);
  let connections = 0;
  let openConnections = 0;
  const servers = [http.createServer(handle), ...[good, expired, wrongHost].map((pair) => https.createServer(pair, handle))];
  let resumedSessions = 0;
  for (const server of servers) {
    server.on('connection', (socket: Socket) => {
      connections++;
      openConnections++;
      socket.once('close', () => openConnections--);
    });
    server.on('secureConnection', (socket: TLSSocket) => (resumedSessions += socket.isSessionReused() ? 1 : 0));
  }
  const ports = await Promise.all(servers.map(listen));
  const base = (scheme: string, port: number) => `${scheme}://127.0.0.1:${port}`;
  return {
    http: base('http', ports[0]!),
    https: base('https', ports[1]!),
    expiredHttps: base('https', ports[2]!),
    wrongHostHttps: base('https', ports[3]!),
    refused: base('http', await freePort()),
    ca: ca.cert,
    expiredNotAfter,
    connections: () => connections,
    openConnections: () => openConnections,
    resumedSessions: () => resumedSessions,
    lastHeaders: () => lastHeaders,
    close: async () => {
      await Promise.all(
        servers.map((server) => {
          const closed = new Promise((resolve) => server.close(resolve));
          server.closeAllConnections();
          return closed;
        }),
      );
    },
  };
}
