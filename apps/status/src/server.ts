// The status service's HTTP server (fastify): the page at /, the JSON API under /api/v1 with
// its OpenAPI document, and SVG badges under /badge. Read-only: every route is a GET.
import { constants as zlib } from 'node:zlib';
import compress from '@fastify/compress';
import swagger from '@fastify/swagger';
import { noopLogger, type Logger } from '@sitewatch/schema';
import { isWindowName, lastDays, levelColors, stateColors, uptimeLevel, windows, type StatusReader } from '@sitewatch/status';
import Fastify, { type FastifyInstance } from 'fastify';
import { badgeRoute, dailyRoute, errorSchema, incidentsRoute, summaryRoute, targetsRoute } from './api-schemas.js';
import { renderBadge } from './badge.js';
import { loadBoard, shownTargets, type Board } from './board.js';
import type { StatusSection } from './config.js';
import { clientErrorHandler, errorHandler, maxParamLength, notFoundHandler, RequestError, unknownTarget } from './errors.js';
import { percent } from './format.js';
import { addSecurityHeaders, jsonHeaders } from './headers.js';
import { renderPage } from './page.js';
import { shownIncident } from './shown-incident.js';

/** Options of `createStatusServer()`. */
export interface StatusServerOptions {
  reader: StatusReader;
  settings: StatusSection;
  logger?: Logger;
  /** Called after every answer, for metrics. */
  onResponse?: (route: string, statusCode: number, seconds: number) => void;
  /** Clock, for tests (default `() => new Date()`). */
  now?: () => Date;
}

/** The same promise for `ms` after it settles successfully: page renders within a refresh share one read. */
function cached<T>(load: () => Promise<T>, ms: number, now: () => number): () => Promise<T> {
  let value: Promise<T> | undefined;
  let at = 0;
  return () => {
    if (value === undefined || now() - at >= ms) {
      at = now();
      value = load();
      value.catch(() => (value = undefined));
    }
    return value;
  };
}

/** Builds the server (not listening: call `listen()`, or `inject()` in tests). */
export async function createStatusServer(options: StatusServerOptions): Promise<FastifyInstance> {
  const { reader, settings } = options;
  const log = options.logger ?? noopLogger;
  const now = options.now ?? (() => new Date());
  const handleError = errorHandler(log);
  const app = Fastify({
    logger: false,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false } },
    routerOptions: { maxParamLength },
    // The router's refusals and unparsable requests answer in the API's error shape too (no
    // hook runs for the router's: the headers are set here).
    frameworkErrors: (error, request, reply) => {
      void handleError(error, request, reply.headers(jsonHeaders));
    },
    clientErrorHandler,
    // Requests arriving while it closes are answered as usual (with Connection: close), not by fastify's own 503.
    return503OnClosing: false,
  });
  const board = cached<Board>(() => loadBoard(reader, settings, now()), settings.cacheMs, () => now().getTime());
  const shown = cached(() => shownTargets(reader, settings), settings.cacheMs, () => now().getTime());
  const knownTarget = async (id: string) => {
    const target = (await shown()).find((t) => t.id === id);
    if (!target) throw unknownTarget(id);
    return target;
  };

  addSecurityHeaders(app);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(notFoundHandler);
  app.addSchema(errorSchema);
  app.addHook('onResponse', async (request, reply) => {
    options.onResponse?.(request.routeOptions.url ?? 'unknown', reply.statusCode, reply.elapsedTime / 1000);
  });
  // The page of 1,000 targets is 7.8 MB of HTML, different at every refresh: compressed at the
  // fastest settings (brotli 1: 16× smaller in 15 ms; gzip 1: 17× in 24 ms) for clients that accept it.
  await app.register(compress, { encodings: ['br', 'gzip'], brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 1 } }, zlibOptions: { level: 1 } });
  await app.register(swagger, {
    // Shared schemas keep their $id as their name under components/schemas (ApiError).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: { title: `${settings.title} — sitewatch status API`, version: '1', description: 'Uptime, response times and incidents of the targets this status page shows. Days are UTC; percentiles are within 1%.' },
    },
  });

  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    // Before the consumer's first migration (42P01: no tables yet) the page says it is empty, not broken.
    const data = await board().catch((error: unknown) => {
      if ((error as { sqlState?: string }).sqlState === '42P01') return { generatedAt: now().toISOString(), targets: [], incidents: [], incidentsKept: false } satisfies Board;
      throw error;
    });
    const html = renderPage(data, settings);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/api/v1/targets', { schema: targetsRoute }, async () => {
    const data = await board();
    return {
      generatedAt: data.generatedAt,
      targets: data.targets.map((t) => ({
        id: t.id,
        name: t.name,
        group: t.group,
        ...(t.url === undefined ? {} : { url: t.url }),
        state: t.state,
        locations: t.locations,
        certificate: t.certificate,
        uptime: { '24h': t.day24h.uptimePct, '7d': t.days7.uptimePct, '90d': t.uptime90dPct },
        p50Ms: { '24h': t.day24h.p50Ms, '7d': t.days7.p50Ms },
        p95Ms: { '24h': t.day24h.p95Ms, '7d': t.days7.p95Ms },
      })),
    };
  });

  app.get<{ Params: { id: string }; Querystring: { from?: string; to?: string } }>('/api/v1/targets/:id/summary', { schema: summaryRoute }, async (request) => {
    const { id } = request.params;
    await knownTarget(id);
    const to = request.query.to === undefined ? now() : new Date(request.query.to);
    const from = request.query.from === undefined ? lastDays(1, to).from : new Date(request.query.from);
    const summary = await reader.summary(id, { from, to });
    return { target: id, from: from.toISOString(), to: to.toISOString(), ...summary };
  });

  app.get<{ Params: { id: string }; Querystring: { days: number } }>('/api/v1/targets/:id/daily', { schema: dailyRoute }, async (request) => {
    const { id } = request.params;
    await knownTarget(id);
    const series = await reader.daily(request.query.days, [id]);
    return { target: id, days: series.get(id) ?? [] };
  });

  app.get<{ Querystring: { target?: string; days: number; limit: number } }>('/api/v1/incidents', { schema: incidentsRoute }, async (request) => {
    const { target, days, limit } = request.query;
    const targets = await shown();
    if (target !== undefined) await knownTarget(target);
    const names = new Map(targets.map((t) => [t.id, t.name ?? t.id]));
    const ids = target === undefined ? targets.map((t) => t.id) : [target];
    const at = now();
    const found = await reader.incidents({ targets: ids, since: new Date(at.getTime() - days * 86_400_000), limit });
    return { kept: await reader.hasIncidents(), incidents: found.map((i) => shownIncident(i, names, settings, at)) };
  });

  app.get<{ Params: { id: string; badge: string } }>('/badge/:id/:badge', { schema: badgeRoute }, async (request, reply) => {
    const { id, badge } = request.params;
    const match = /^(?:uptime-(?<window>[^.]+)|(?<status>status))\.svg$/.exec(badge);
    if (!match) throw new RequestError(404, 'ERR_STATUS_NOT_FOUND', 'badges are uptime-24h.svg, uptime-7d.svg, uptime-30d.svg, uptime-90d.svg and status.svg');
    const window = match.groups?.window;
    if (window !== undefined && !isWindowName(window)) {
      throw new RequestError(400, 'ERR_STATUS_BAD_REQUEST', `no uptime badge for ${JSON.stringify(window.slice(0, 20))}: windows kept are ${Object.keys(windows).join(', ')}`, [{ path: '/params/badge', message: `must be uptime-{${Object.keys(windows).join(',')}}.svg or status.svg` }]);
    }
    const target = await knownTarget(id);
    const label = target.name ?? target.id;
    let svg: string;
    if (window === undefined) {
      const state = (await reader.current([id])).get(id)?.state ?? 'unknown';
      svg = renderBadge(label, state === 'partial' ? 'partly down' : state, stateColors[state]);
    } else {
      const summary = await reader.summary(id, lastDays(windows[window], now()));
      svg = renderBadge(`${label} ${window}`, summary.uptimePct === null ? 'no data' : percent(summary.uptimePct), levelColors[uptimeLevel(summary.uptimePct)]);
    }
    return reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'max-age=60').send(svg);
  });

  await app.ready();
  return app;
}
