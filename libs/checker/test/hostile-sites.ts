// Sites that misbehave below HTTP, for the checker's hostile-input tests: a raw TCP server
// that answers each request path with a scripted byte stream (invalid HTTP, a gigantic
// header, a body that never ends or drips one byte at a time, a decompression bomb), and a
// port that accepts TCP connections but never answers a TLS ClientHello. All on 127.0.0.1,
// port 0; every socket is tracked so a test can assert that none is left open.
import net, { type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/** The hostile sites, by base URL (no trailing slash). */
export interface HostileSites {
  /** A raw TCP server speaking (mis)HTTP; paths in `hostilePaths`. */
  http: string;
  /** An `https://` base URL whose server accepts TCP and then never says a word. */
  silentTls: string;
  /** Connections open now, over both servers. */
  openConnections(): number;
  /** Connections accepted so far, over both servers. */
  connections(): number;
  close(): Promise<void>;
}

/** Bytes of the gigantic header line of `/huge-header`. */
export const hugeHeaderBytes = 1024 * 1024;
/** Decompressed size of `/gzip-bomb` (its gzip is about 10 KB). */
export const gzipBombBytes = 10 * 1024 * 1024;

const gzipBomb = gzipSync(Buffer.alloc(gzipBombBytes));
const chunk = Buffer.alloc(64 * 1024, 'x');

type Script = (socket: net.Socket, query: URLSearchParams) => void;

/** Writes the buffers `next()` gives, respecting back-pressure, until it gives none (then ends) or the peer goes away. */
function pump(socket: net.Socket, next: () => Buffer | undefined): void {
  const write = () => {
    for (let part = next(); part !== undefined && !socket.destroyed; part = next()) {
      if (!socket.write(part)) return void socket.once('drain', write);
    }
    if (!socket.destroyed) socket.end();
  };
  write();
}

/** Writes one byte of `text` every `ms` (cycling), until the peer goes away. */
function drip(socket: net.Socket, head: string, text: string, ms: number): void {
  socket.write(head);
  let i = 0;
  const timer = setInterval(() => socket.write(text[i++ % text.length]!), ms);
  socket.once('close', () => clearInterval(timer));
}

const ok = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n';

/** What the server sends for each path. */
const scripts: Record<string, Script> = {
  // Not HTTP at all: a banner of another protocol.
  '/not-http': (socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'),
  '/invalid-status': (socket) => socket.end('HTTP/1.1 2x0 Fine\r\nContent-Length: 0\r\n\r\n'),
  // A header name with a space: not a token.
  '/invalid-header': (socket) => socket.end(`${ok}Bad Header: x\r\nContent-Length: 2\r\n\r\nhi`),
  // Two lengths that disagree: the request-smuggling shape a strict parser refuses.
  '/conflicting-length': (socket) => socket.end(`${ok}Content-Length: 2\r\nContent-Length: 20\r\n\r\nhi`),
  '/invalid-chunk': (socket) => socket.end(`${ok}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n`),
  // The connection closes before a single byte of a response.
  '/silent-close': (socket) => socket.end(),
  '/huge-header': (socket) => {
    let sent = 0;
    socket.write(`${ok}X-Huge: `);
    pump(socket, () => (sent < hugeHeaderBytes ? ((sent += chunk.length), chunk) : undefined));
  },
  // A status line, then header bytes dripping forever: the response headers never end.
  '/drip-headers': (socket, query) => drip(socket, `${ok}X-Drip: `, 'abcdefgh', Number(query.get('ms') ?? 1000)),
  '/endless-body': (socket) => {
    socket.write(`${ok}\r\n`);
    pump(socket, () => chunk);
  },
  '/endless-chunked': (socket) => {
    socket.write(`${ok}Transfer-Encoding: chunked\r\n\r\n`);
    const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    pump(socket, () => framed);
  },
  // One byte every `ms` (default a second) of a body that says it is 1000 bytes long.
  '/slow-drip': (socket, query) => drip(socket, `${ok}Content-Length: 1000\r\n\r\n`, 'sitewatch ', Number(query.get('ms') ?? 1000)),
  '/gzip-bomb': (socket) => socket.end(Buffer.concat([Buffer.from(`${ok}Content-Encoding: gzip\r\nContent-Length: ${gzipBomb.length}\r\n\r\n`), gzipBomb])),
};

/** The paths the raw server knows. */
export const hostilePaths = Object.keys(scripts);

function serve(socket: net.Socket): void {
  let head = '';
  const onData = (data: Buffer) => {
    head += data.toString('latin1');
    const end = head.indexOf('\r\n');
    if (end < 0) {
      if (head.length > 8192) socket.destroy();
      return;
    }
    socket.off('data', onData);
    // Keep reading (and discarding) what the client sends, so its writes never stall.
    socket.resume();
    const url = new URL(head.slice(0, end).split(' ')[1] ?? '/', 'http://localhost');
    const script = scripts[url.pathname];
    if (script) script(socket, url.searchParams);
    else socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  };
  socket.on('data', onData);
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Starts the hostile sites; close() them after the tests. */
export async function startHostileSites(): Promise<HostileSites> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const track = (socket: net.Socket) => {
    connections++;
    sockets.add(socket);
    // A client that aborts resets the connection: expected here, not an error of the test.
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  };
  const raw = net.createServer((socket) => {
    track(socket);
    serve(socket);
  });
  // Reads the ClientHello and never answers it.
  const silent = net.createServer((socket) => {
    track(socket);
    socket.resume();
  });
  const [rawPort, silentPort] = await Promise.all([listen(raw), listen(silent)]);
  return {
    http: `http://127.0.0.1:${rawPort}`,
    silentTls: `https://127.0.0.1:${silentPort}`,
    openConnections: () => sockets.size,
    connections: () => connections,
    close: async () => {
      const closed = [raw, silent].map((server) => new Promise((resolve) => server.close(resolve)));
      for (const socket of sockets) socket.destroy();
      await Promise.all(closed);
    },
  };
}
