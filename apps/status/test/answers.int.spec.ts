// Every kind of answer the service gives, from the page to a request Node cannot parse: its
// security headers (what may load, run, frame or embed it), and every refusal in the one error
// shape the OpenAPI document describes, with no internal detail.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compileOptions, type JsonSchema } from '@sitewatch/schema';
import { createStatusReader, type StatusReader } from '@sitewatch/status';
import type { FastifyInstance } from 'fastify';
import { apiErrorCodes } from '../src/errors.js';
import { pageStyleSource } from '../src/page-style.js';
import { createStatusServer } from '../src/server.js';
import { fixture, settings, type Fixture } from './setup.js';

let f: Fixture;
let app: FastifyInstance;
let checkError: (body: unknown) => { problems: unknown[] };

beforeAll(async () => {
  f = await fixture();
  app = await f.server();
  const doc = (await app.inject('/api/v1/openapi.json')).json<{ components: { schemas: { ApiError: JsonSchema } } }>();
  checkError = compileOptions(doc.components.schemas.ApiError);
});
afterAll(() => f?.close());

const lockedDown = ["default-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"];
const csp = {
  page: [...lockedDown, `style-src ${pageStyleSource}`, 'img-src data:'],
  json: lockedDown,
  badge: lockedDown,
};
type Kind = keyof typeof csp;

function expectHeaders(headers: Record<string, unknown>, kind: Kind) {
  expect({
    csp: String(headers['content-security-policy']).split('; '),
    nosniff: headers['x-content-type-options'],
    referrer: headers['referrer-policy'],
    frames: headers['x-frame-options'],
    corp: headers['cross-origin-resource-policy'],
  }).toEqual({ csp: csp[kind], nosniff: 'nosniff', referrer: 'no-referrer', frames: 'DENY', corp: kind === 'badge' ? 'cross-origin' : 'same-origin' });
}

/** An error body as documented: the shared schema, a known code, a message, nothing internal. */
function expectErrorBody(body: string, code?: string) {
  const parsed = JSON.parse(body) as { error: { code: string; message: string } };
  expect(checkError(parsed).problems).toEqual([]);
  expect(apiErrorCodes).toContain(parsed.error.code);
  if (code !== undefined) expect(parsed.error.code).toBe(code);
  expect(parsed.error.message.length).toBeGreaterThan(5);
  expect(body).not.toMatch(/FST_|fastify|statusCode|select |sitewatch\.|\.ts\b|\.js\b|node_modules|stack|at \w/i);
}

describe('every answer', () => {
  it.each([
    ['GET', '/', 200, 'page'],
    ['HEAD', '/', 200, 'page'],
    ['GET', '/api/v1/targets', 200, 'json'],
    ['GET', '/api/v1/openapi.json', 200, 'json'],
    ['GET', '/api/v1/incidents', 200, 'json'],
    ['GET', '/badge/beta/status.svg', 200, 'badge'],
    ['GET', '/badge/beta/uptime-7d.svg', 200, 'badge'],
  ] as const)('%s %s is a %i with the headers of a %s', async (method, url, status, kind) => {
    const response = await app.inject({ method, url });
    expect(response.statusCode).toBe(status);
    expectHeaders(response.headers, kind);
  });

  it.each([
    ['an unknown route', 404, 'ERR_STATUS_NOT_FOUND', 'GET', '/nope'],
    ['an unknown target', 404, 'ERR_STATUS_UNKNOWN_TARGET', 'GET', '/api/v1/targets/nobody/daily'],
    ["an unknown target's badge", 404, 'ERR_STATUS_UNKNOWN_TARGET', 'GET', '/badge/nobody/status.svg'],
    ['an unknown window', 400, 'ERR_STATUS_BAD_REQUEST', 'GET', '/badge/beta/uptime-1y.svg'],
    ['an unknown badge', 404, 'ERR_STATUS_NOT_FOUND', 'GET', '/badge/alpha/other.svg'],
    ['an unknown version', 404, 'ERR_STATUS_NOT_FOUND', 'GET', '/api/v2/targets'],
    ["an unknown target's incidents", 404, 'ERR_STATUS_UNKNOWN_TARGET', 'GET', '/api/v1/incidents?target=nobody'],
    ['a range that is not one', 400, 'ERR_STATUS_BAD_REQUEST', 'GET', '/api/v1/targets/alpha/summary?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'],
    ['a number that is not one', 400, 'ERR_STATUS_BAD_REQUEST', 'GET', '/api/v1/targets/alpha/daily?days=abc'],
    ['a number out of range', 400, 'ERR_STATUS_BAD_REQUEST', 'GET', '/api/v1/targets/alpha/daily?days=0'],
    ['a bad date', 400, 'ERR_STATUS_BAD_REQUEST', 'GET', '/api/v1/targets/alpha/summary?from=yesterday'],
    ['an unknown parameter', 400, 'ERR_STATUS_BAD_REQUEST', 'GET', '/api/v1/targets/alpha/summary?whatever=1'],
    ['parameters out of range and unknown', 400, 'ERR_STATUS_BAD_REQUEST', 'GET', '/api/v1/incidents?limit=-1&colour=blue'],
    ['a 5,000-character id (router)', 414, 'ERR_STATUS_BAD_REQUEST', 'GET', `/api/v1/targets/${'x'.repeat(5000)}/summary`],
    ["a 5,000-character badge's id (router)", 414, 'ERR_STATUS_BAD_REQUEST', 'GET', `/badge/${'x'.repeat(5000)}/status.svg`],
    ['a broken percent-escape (router)', 400, 'ERR_STATUS_BAD_REQUEST', 'GET', '/api/v1/targets/%E0%A4%A/summary'],
    ["a broken percent-escape in a badge's id (router)", 400, 'ERR_STATUS_BAD_REQUEST', 'GET', '/badge/%ZZ/status.svg'],
    ['POST /', 405, 'ERR_STATUS_METHOD_NOT_ALLOWED', 'POST', '/'],
    ['OPTIONS', 405, 'ERR_STATUS_METHOD_NOT_ALLOWED', 'OPTIONS', '/api/v1/targets'],
    ['DELETE of a badge', 405, 'ERR_STATUS_METHOD_NOT_ALLOWED', 'DELETE', '/badge/beta/status.svg'],
    ['PUT of an unknown route', 405, 'ERR_STATUS_METHOD_NOT_ALLOWED', 'PUT', '/nope'],
  ] as const)('%s is a %i %s in the error shape', async (_name, status, code, method, url) => {
    const response = await app.inject({ method, url, ...(method === 'GET' ? {} : { payload: '{"a":1}', headers: { 'content-type': 'application/json' } }) });
    expect([response.statusCode, response.headers['content-type']]).toEqual([status, 'application/json; charset=utf-8']);
    expectHeaders(response.headers, 'json');
    expectErrorBody(response.body, code);
    if (status === 405) expect(response.headers.allow).toBe('GET, HEAD');
  });

  it('answers HEAD of an unknown page with the headers of its 404 (Node writes no body for a HEAD)', async () => {
    const response = await app.inject({ method: 'HEAD', url: '/nope' });
    expect([response.statusCode, response.headers['content-type']]).toEqual([404, 'application/json; charset=utf-8']);
    expectHeaders(response.headers, 'json');
  });

  it('answers 503 when the database fails and 500 for a bug, without internals', async () => {
    const failing = (reader: StatusReader) => createStatusServer({ reader, settings: settings() });
    const unavailable = await failing(createStatusReader({ sql: f.db.sql, schema: 'nowhere' }));
    const broken = await failing({ ...f.reader, targets: () => Promise.reject(new Error('select secret from sitewatch.targets at /srv/app/board.ts:12')) });
    for (const [server, status, body] of [
      [unavailable, 503, { code: 'ERR_STATUS_UNAVAILABLE', message: 'the data is unavailable right now; try again shortly' }],
      [broken, 500, { code: 'ERR_STATUS_INTERNAL', message: 'internal error' }],
    ] as const) {
      const response = await server.inject('/api/v1/targets');
      expect([response.statusCode, response.json()]).toEqual([status, { error: body }]);
      expectHeaders(response.headers, 'json');
      expectErrorBody(response.body);
    }
    // The page before the consumer's first migration (no tables yet) is an empty page, not an error.
    const page = await unavailable.inject('/');
    expect([page.statusCode, page.body]).toEqual([200, expect.stringContaining('No results stored yet')]);
    await Promise.all([unavailable.close(), broken.close()]);
  });
});

describe('a request Node cannot parse', () => {
  /** What the listening server writes back to `request`, sent on a raw socket: status, headers, body. */
  async function raw(url: string, request: string) {
    const { hostname, port } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    socket.end(request);
    let data = '';
    for await (const chunk of socket.setEncoding('utf8')) data += chunk;
    const [head, body] = data.split('\r\n\r\n');
    const [statusLine, ...lines] = head!.split('\r\n');
    const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    return { status: Number(statusLine!.split(' ')[1]), headers, body: body! };
  }

  it('is answered in the error shape with the same headers: not HTTP (400), headers too large (431)', async () => {
    const listening = await f.server();
    const url = await listening.listen({ host: '127.0.0.1', port: 0 });
    for (const [request, status] of [
      ['NOT HTTP AT ALL\r\n\r\n', 400],
      [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ] as const) {
      const response = await raw(url, request);
      expect([response.status, response.headers['content-type']]).toEqual([status, 'application/json; charset=utf-8']);
      expectHeaders(response.headers, 'json');
      expectErrorBody(response.body, 'ERR_STATUS_BAD_REQUEST');
    }
  });
});
