// A TCP proxy for tests on loopback (there is no toxiproxy here): forwards a port to a
// target, and can cut every connection and refuse new ones (an outage), start again on the
// same port, and delay every chunk in both directions (a slow network or database).
import net from 'node:net';
import { freePort } from './ports.js';

/** A running proxy. */
export interface TcpProxy {
  /** `127.0.0.1:<port>`, stable across stop() and start(). */
  readonly address: string;
  readonly port: number;
  /** Connections currently open through the proxy. */
  connections(): number;
  /** Cuts every connection and stops listening: clients see refused connections. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Delays each chunk by `ms` in both directions from now on (0: none); order is kept. */
  setLatency(ms: number): void;
  /** Stops for good. */
  close(): Promise<void>;
}

/** Where a proxy forwards to. */
export interface TcpProxyOptions {
  targetHost: string;
  targetPort: number;
  /** Port to listen on (default: a free port that stays free while the proxy is stopped: `freePort`'s `restartable`). */
  port?: number;
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** Forwards `from` to `to`, each chunk `latency()` ms late, never before the chunk ahead of it. */
function forward(from: net.Socket, to: net.Socket, latency: () => number): void {
  let releaseAt = 0;
  from.on('data', (chunk) => {
    const delay = latency();
    if (delay === 0 && releaseAt <= performance.now()) {
      to.write(chunk);
      return;
    }
    releaseAt = Math.max(releaseAt, performance.now() + delay);
    setTimeout(() => to.destroyed || to.write(chunk), releaseAt - performance.now());
  });
  from.on('end', () => setTimeout(() => to.end(), Math.max(0, releaseAt - performance.now())));
}

/** Starts a proxy from 127.0.0.1 to the target. */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let latencyMs = 0;

  const createServer = () =>
    net.createServer((client) => {
      const upstream = net.connect(options.targetPort, options.targetHost);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        // Either side failing ends both; the error itself is the point of the test, not a crash.
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      forward(client, upstream, () => latencyMs);
      forward(upstream, client, () => latencyMs);
    });

  server = createServer();
  const port = await listen(server, options.port ?? (await freePort(1, { restartable: true })));

  const stop = async () => {
    const closing = server;
    server = undefined;
    if (!closing) return;
    const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  return {
    address: `127.0.0.1:${port}`,
    port,
    connections: () => sockets.size / 2,
    stop,
    async start() {
      if (server) return;
      server = createServer();
      await listen(server, port);
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    close: stop,
  };
}
