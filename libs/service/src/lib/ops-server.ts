import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { noopLogger, type Logger } from '@sitewatch/schema';
import type { Registry } from 'prom-client';

export interface OpsServerOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on. Default `0.0.0.0` (Prometheus scrapes from elsewhere). */
  host?: string;
  /** Metrics served on `/metrics`. */
  registry: Registry;
  /** Readiness per dependency, e.g. `{ kafka: true, postgres: false }`: `/readyz` is 200 only when all are true. */
  readiness: () => Record<string, boolean>;
  logger?: Logger;
}

export interface OpsServer {
  /** The port actually bound. */
  port: number;
  close(): Promise<void>;
}

/**
 * The operator's endpoints: `/metrics` (Prometheus text format), `/healthz` (the process
 * answers) and `/readyz` (connected to what it needs; 503 with the failing checks otherwise).
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const log = options.logger ?? noopLogger;
  const server = http.createServer((request, response) => {
    const route = request.url?.split('?')[0];
    const reply = (status: number, contentType: string, body: string) => {
      response.writeHead(status, { 'content-type': contentType }).end(body);
    };
    if (request.method !== 'GET') return reply(405, 'text/plain', 'method not allowed\n');
    if (route === '/healthz') return reply(200, 'text/plain', 'ok\n');
    if (route === '/readyz') {
      const checks = options.readiness();
      const ready = Object.values(checks).every(Boolean);
      return reply(ready ? 200 : 503, 'application/json', `${JSON.stringify({ ready, checks })}\n`);
    }
    if (route === '/metrics') {
      options.registry
        .metrics()
        .then((text) => reply(200, options.registry.contentType, text))
        .catch((err: Error) => {
          log.error({ err }, 'metrics collection failed');
          reply(500, 'text/plain', 'metrics collection failed\n');
        });
      return;
    }
    reply(404, 'text/plain', 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, host: options.host ?? '0.0.0.0' }, 'ops server listening');
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
