// The page, the JSON API and the badges against real PostgreSQL with known rollups, read as a
// read-only role: figures equal what the test computes from the raw results, states and slow
// days what the known alerts' state makes; private details stay private unless configured.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compileOptions, type JsonSchema } from '@sitewatch/schema';
import { dayKey, lastDays, lastUtcDays, stateColors } from '@sitewatch/status';
import type { FastifyInstance } from 'fastify';
import { knownCertificateDays, knownSlowDays } from '../../../tools/testing/status-alerts-data.js';
import { expectedFigures, ofDay, withinSketch } from '../../../tools/testing/status-data.js';
import { report } from '../src/report.js';
import { fixture, settings, type Fixture } from './setup.js';

let f: Fixture;
let app: FastifyInstance;

beforeAll(async () => {
  f = await fixture();
  app = await f.server();
});
afterAll(() => f?.close());

const get = async (url: string) => {
  const response = await app.inject({ method: 'GET', url });
  return { status: response.statusCode, type: String(response.headers['content-type']), body: response.body, json: () => response.json<Record<string, unknown>>() };
};
const of = (target: string) => f.results.filter((r) => r.targetId === target);

describe('JSON API', () => {
  it('lists the targets with their state and figures, URLs without query strings', async () => {
    const r = await get('/api/v1/targets');
    expect(r.status).toBe(200);
    const { targets } = r.json() as { targets: { id: string; url: string; state: string; uptime: Record<string, number | null> }[] };
    expect(targets.map((t) => [t.id, t.state])).toEqual([
      ['alpha', 'partial'],
      ['beta', 'down'],
      ['delta', 'unknown'],
      ['epsilon', 'degraded'],
      ['gamma', 'unknown'],
      ['zeta', 'down'],
    ]);
    expect(targets[0]!.url).toBe('https://alpha.test/path');
    expect(r.body).not.toContain('token');
    expect(r.body).not.toContain('secret error text');
    const week = expectedFigures(of('beta').filter((x) => new Date(x.startedAt) >= lastDays(7, f.now).from));
    expect(targets[1]!.uptime['7d']).toBe(week.uptimePct);
  });

  it('gives each location its state and each target its certificate: days left, and whether inside the first warning or expired', async () => {
    const { targets } = (await get('/api/v1/targets')).json() as { targets: { id: string; locations: { location: string; state: string }[]; certificate: { notAfter: string; daysLeft: number; level: string } | null }[] };
    const byId = new Map(targets.map((t) => [t.id, t]));
    expect(byId.get('epsilon')!.locations.map((l) => [l.location, l.state])).toEqual([
      ['eu-west', 'degraded'],
      ['us-east', 'up'],
    ]);
    expect(byId.get('alpha')!.locations.map((l) => [l.location, l.state])).toEqual([
      ['eu-west', 'up'],
      ['us-east', 'down'],
    ]);
    const levels = { alpha: 'ok', epsilon: 'expiring', zeta: 'expired', gamma: 'ok' };
    for (const [id, days] of Object.entries(knownCertificateDays)) {
      expect([id, byId.get(id)!.certificate]).toEqual([id, { notAfter: expect.any(String), daysLeft: days, level: levels[id as keyof typeof levels] }]);
    }
    expect([byId.get('beta')!.certificate, byId.get('delta')!.certificate]).toEqual([null, null]);
    // The first warning is the largest of status.certificateWarnDays: with [7], 10 days is not inside it.
    const narrow = (await (await f.server({ certificateWarnDays: [7] })).inject('/api/v1/targets')).json<{ targets: { id: string; certificate: { level: string } | null }[] }>();
    expect(narrow.targets.find((t) => t.id === 'epsilon')!.certificate!.level).toBe('ok');
  });

  it("gives a target's summary over a range equal to its raw results", async () => {
    const from = new Date(f.now.getTime() - 3 * 86_400_000).toISOString();
    const r = await get(`/api/v1/targets/alpha/summary?from=${encodeURIComponent(from)}`);
    expect(r.status).toBe(200);
    const body = r.json() as { checks: number; up: number; uptimePct: number; p95Ms: number; reasons: Record<string, number> };
    const hour = (d: Date) => Math.floor(d.getTime() / 3_600_000) * 3_600_000;
    const expected = expectedFigures(of('alpha').filter((x) => hour(new Date(x.startedAt)) >= new Date(from).getTime()));
    expect({ checks: body.checks, up: body.up, reasons: body.reasons }).toEqual({ checks: expected.checks, up: expected.up, reasons: expected.reasons });
    expect(withinSketch(body.p95Ms, expected.p95Ms)).toBe(true);
  });

  it('gives the daily series: 90 UTC days equal to the raw results', async () => {
    const r = await get('/api/v1/targets/alpha/daily');
    const { days } = r.json() as { days: { day: string; checks: number; up: number; p95Ms: number | null; reasons: Record<string, number> }[] };
    expect(days.map((d) => d.day)).toEqual(lastUtcDays(90, f.now).map(dayKey));
    for (const d of days) {
      const expected = expectedFigures(ofDay(of('alpha'), d.day));
      expect([d.day, d.checks, d.up, d.reasons]).toEqual([d.day, expected.checks, expected.up, expected.reasons]);
      expect(withinSketch(d.p95Ms, expected.p95Ms)).toBe(true);
    }
    expect((await get('/api/v1/targets/alpha/daily?days=7')).json().days).toHaveLength(7);
  });

  it('gives the time each day was degraded: on the days of the known degraded incidents, and no others', async () => {
    for (const target of ['epsilon', 'zeta', 'alpha']) {
      const { days } = (await get(`/api/v1/targets/${target}/daily`)).json() as { days: { day: string; degradedMs: number }[] };
      expect({ target, slow: days.filter((d) => d.degradedMs > 0).map((d) => d.day) }).toEqual({ target, slow: [...knownSlowDays(target, f.now)].sort() });
    }
  });

  it('lists open and recent incidents, without error texts by default', async () => {
    const r = await get('/api/v1/incidents');
    const body = r.json() as { kept: boolean; incidents: { id: number; target: string; kind: string; openedAt: string; resolvedAt: string | null; error?: unknown }[] };
    expect(body.kept).toBe(true);
    expect(body.incidents.map((i) => [i.target, i.kind, i.resolvedAt === null])).toEqual([
      ['zeta', 'down', true],
      ['epsilon', 'degraded', true],
      ['beta', 'down', true],
      ['alpha', 'down', false],
      ['epsilon', 'degraded', false],
    ]);
    // Ids are numbers, as in the alerts' webhook body.
    const ids = await f.db.sql<{ id: string; openedAt: Date }[]>`select id::text, opened_at as "openedAt" from sitewatch.incidents`;
    expect(body.incidents.map((i) => i.id)).toEqual(body.incidents.map((i) => Number(ids.find((row) => row.openedAt.toISOString() === i.openedAt)!.id)));
    expect(r.body).not.toContain('secret error text');
    expect((await get('/api/v1/incidents?target=alpha')).json().incidents).toHaveLength(1);
  });

  it('says of a degraded incident how slow and which phase was slowest, and of an escalated one when it went down', async () => {
    const { incidents } = (await get('/api/v1/incidents')).json() as { incidents: Record<string, unknown>[] };
    const [zeta, epsilon] = incidents;
    expect(epsilon).toMatchObject({
      kind: 'degraded',
      reason: 'slow',
      escalatedAt: null,
      slow: { responseTimeMs: 2310, limitMs: 1000, rule: 'absolute', phases: { dnsMs: 4, tcpMs: 9, tlsMs: 21, ttfbMs: 1900, downloadMs: 376 }, slowestPhase: 'first byte' },
    });
    expect(zeta).toMatchObject({ kind: 'down', reason: 'timeout', openedAt: new Date(f.now.getTime() - 3 * 3_600_000).toISOString(), escalatedAt: new Date(f.now.getTime() - 3_600_000).toISOString(), slow: null });
  });

  it('shows error texts and full URLs only when configured', async () => {
    const open = await f.server({ showErrors: true, showUrls: 'full' });
    const body = (await open.inject('/api/v1/incidents')).body;
    expect(body).toContain('secret error text');
    expect((await open.inject('/api/v1/targets')).body).toContain('token=secret-alpha');
    expect((await (await f.server({ showUrls: 'none' })).inject('/api/v1/targets')).body).not.toContain('alpha.test');
  });

  it('publishes its OpenAPI document: every path, every error answer in the one shared shape', async () => {
    const r = await get('/api/v1/openapi.json');
    const doc = r.json() as { openapi: string; paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v1/incidents', '/api/v1/targets', '/api/v1/targets/{id}/daily', '/api/v1/targets/{id}/summary', '/badge/{id}/{badge}']);
    for (const path of Object.values(doc.paths)) {
      for (const status of ['4XX', '5XX']) expect(path.get.responses[status]!.content['application/json']!.schema).toEqual({ $ref: '#/components/schemas/ApiError' });
    }
    const incident = (doc.paths['/api/v1/incidents']!.get.responses['200']!.content['application/json']!.schema as { properties: { incidents: { items: { properties: { id: unknown } } } } }).properties.incidents.items;
    expect(incident.properties.id).toMatchObject({ type: 'integer' });
  });

  // fastify writes each answer by its schema, leaving out what the schema does not name: the
  // tests above that find the new fields in the answers find them documented too.
  it('answers as its OpenAPI document says: each answer valid by its schema', async () => {
    const doc = (await get('/api/v1/openapi.json')).json() as { paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: JsonSchema }> }> } }> };
    const schemaOf = (path: string) => doc.paths[path]!.get.responses['200']!.content['application/json']!.schema;
    const answers = [
      ['/api/v1/targets', '/api/v1/targets'],
      ['/api/v1/incidents', '/api/v1/incidents?days=90'],
      ['/api/v1/targets/{id}/daily', '/api/v1/targets/epsilon/daily'],
      ['/api/v1/targets/{id}/summary', '/api/v1/targets/epsilon/summary'],
    ] as const;
    for (const [path, url] of answers) {
      const body = (await get(url)).json();
      expect({ url, problems: compileOptions(schemaOf(path))(body).problems }).toEqual({ url, problems: [] });
    }
  });
});

describe('bad requests', () => {
  // Every other refusal, and the headers of each: answers.int.spec.ts.
  it('names the problem of a range by its place', async () => {
    const r = await get('/api/v1/targets/alpha/summary?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(r.json()).toEqual({ error: { code: 'ERR_STATUS_BAD_REQUEST', message: 'invalid range', problems: [{ path: '/to', message: 'must be after from' }] } });
  });
});

describe('badges', () => {
  it.each(['24h', '7d', '30d', '90d'])('uptime-%s.svg shows the uptime of the window', async (window) => {
    const r = await get(`/badge/beta/uptime-${window}.svg`);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^image\/svg\+xml/);
    expect(r.body).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(r.body).toContain(`beta ${window}`);
    expect(r.body).toMatch(/\d+(\.\d+)?%<\/text>/);
  });

  it('status.svg shows the current state in its colour', async () => {
    for (const [id, value, state] of [
      ['beta', 'down', 'down'],
      ['alpha', 'partly down', 'partial'],
      ['epsilon', 'degraded', 'degraded'],
      ['gamma', 'unknown', 'unknown'],
    ] as const) {
      const { body } = await get(`/badge/${id}/status.svg`);
      expect([id, body.includes(`>${value}</text>`), body.includes(`fill="${stateColors[state]}"`)]).toEqual([id, true, true]);
    }
  });
});

describe('the page', () => {
  it('shows every target with 90 bars, no query strings or error texts, and refreshes itself', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('<meta http-equiv="refresh" content="60">');
    for (const id of ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta']) expect(r.body).toContain(`data-target="${id}"`);
    expect(r.body.match(/<span class="l-[a-z]+( slow)?" title=/g)).toHaveLength(6 * 90);
    expect(r.body.match(/<span class="l-[a-z]+ slow" title=/g)).toHaveLength(knownSlowDays('epsilon', f.now).size + knownSlowDays('zeta', f.now).size);
    expect(r.body).not.toContain('token');
    expect(r.body).not.toContain('secret error text');
    expect(r.body).not.toMatch(/<script/i);
  });

  it('is compressed for a client that accepts it, and plain for one that does not', async () => {
    const compressed = await app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'br, gzip' } });
    expect(compressed.headers['content-encoding']).toBe('br');
    const html = brotliDecompressSync(compressed.rawPayload).toString('utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('data-target="alpha"');
    expect(compressed.rawPayload.length).toBeLessThan(html.length / 4);
    const json = await app.inject({ method: 'GET', url: '/api/v1/targets', headers: { 'accept-encoding': 'gzip' } });
    expect(json.headers['content-encoding']).toBe('gzip');
    expect((JSON.parse(gunzipSync(json.rawPayload).toString('utf8')) as { targets: unknown[] }).targets).toHaveLength(6);
    const plain = await app.inject({ method: 'GET', url: '/' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toMatch(/^<!doctype html>/);
  });

  it('shows only the configured targets, named and grouped', async () => {
    const named = await f.server({ targets: [{ id: 'beta', name: 'Payments API', group: 'Backend' }] });
    const body = (await named.inject('/')).body;
    expect(body).toContain('Payments API');
    expect(body).toContain('<h2>Backend</h2>');
    expect(body).not.toContain('data-target="alpha"');
    expect((await named.inject('/api/v1/targets/alpha/daily')).statusCode).toBe(404);
  });
});

describe('the report', () => {
  it('gives a target\'s days with the time each was degraded', async () => {
    const csv = await report(f.reader, settings(), { days: 30, target: 'epsilon', format: 'csv' }, f.now);
    const [head, ...rows] = csv.trim().split('\n').map((line) => line.split(','));
    expect(head).toEqual(['day', 'checks', 'up', 'uptime', 'p95', 'down by reason', 'degraded']);
    const degraded = head!.indexOf('degraded');
    expect(rows.filter((row) => row[degraded] !== '0').map((row) => row[0])).toEqual([...knownSlowDays('epsilon', f.now)].filter((day) => day >= dayKey(lastUtcDays(30, f.now)[0]!)).sort());
    const table = await report(f.reader, settings(), { days: 30, target: 'epsilon', format: 'table' }, f.now);
    expect(table).toContain(`${dayKey(new Date(f.now.getTime() - 5 * 86_400_000))}`);
    expect(table.split('\n').find((line) => line.startsWith(dayKey(new Date(f.now.getTime() - 5 * 86_400_000))))).toMatch(/ 3 h 0 min$/);
  });
});
