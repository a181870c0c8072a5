// The status service as a part: the page, API and badges over a read-only pool, with its
// metrics and readiness, started and stopped by its owner (`sitewatch-status serve`, or
// `sitewatch all` beside the producer and the consumer).
import { openPostgres } from '@sitewatch/pg-sink';
import type { Logger } from '@sitewatch/schema';
import { createStatusReader } from '@sitewatch/status';
import type { Registry } from 'prom-client';
import { loadBoard } from './board.js';
import { connectionOptions, type StatusConfig } from './config.js';
import { createStatusMetrics } from './metrics.js';
import { createStatusServer } from './server.js';

export interface StatusService {
  registry: Registry;
  /** Readiness for /readyz: the last ping of the database (every 5 s) answered. */
  readiness(): Record<string, boolean>;
  /** Pings the database, listens on `status.listen` and logs `status page listening`; resolves with the page's address. */
  start(): Promise<string>;
  /**
   * Reads the board once in the background, so that the first visitor does not wait: the
   * reader's first read of many targets reads every finished day (1.5–2 s at 1,000 targets ×
   * 90 days) and keeps what it computed. Call it once the tables are there (before the first
   * migration the read fails, and the reader logs it).
   */
  warm(): void;
  /** Stops listening (requests in flight finish), closes the reader and the pool. Idempotent. */
  stop(): Promise<void>;
}

/** The address to show for a bound socket: a wildcard host as 127.0.0.1, an IPv6 one in brackets. */
function shownHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
}

export function createStatusService(config: StatusConfig, logger: Logger): StatusService {
  const sql = openPostgres({ ...connectionOptions(config), logger });
  const reader = createStatusReader({ sql, schema: config.postgres.schema ?? 'sitewatch', staleAfterMs: config.status.staleAfterMs, logger });
  const metrics = createStatusMetrics();
  let databaseOk = false;
  const ping = () =>
    reader.ping().then(
      () => (databaseOk = true),
      () => (databaseOk = false),
    );
  const pinger = setInterval(() => void ping(), 5000);
  pinger.unref();
  let app: Awaited<ReturnType<typeof createStatusServer>> | undefined;
  let stopping: Promise<void> | undefined;

  return {
    registry: metrics.registry,
    readiness: () => ({ postgres: databaseOk }),
    async start() {
      await ping();
      app = await createStatusServer({ reader, settings: config.status, logger, onResponse: (route, code, seconds) => metrics.answered(route, code, seconds) });
      const { host, port } = config.status.listen;
      await app.listen({ host, port });
      const address = app.server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      const url = `http://${shownHost(host)}:${bound}/`;
      logger.info({ url, api: `${url}api/v1/openapi.json`, database: databaseOk }, 'status page listening');
      return url;
    },
    warm() {
      // A failure here is the first request's to report.
      void loadBoard(reader, config.status, new Date()).catch(() => undefined);
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(pinger);
        await app?.close();
        await reader.close();
        await sql.end({ timeout: 5 });
        logger.info({}, 'status page stopped');
      })();
      return stopping;
    },
  };
}
