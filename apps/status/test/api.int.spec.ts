// The page, the JSON API and the badges against real PostgreSQL with known rollups, read as a
// read-only role: figures equal what the test computes from the raw results; private details
// stay private unless configured.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dayKey, lastDays, lastUtcDays } from '@sitewatch/status';
import type { FastifyInstance } from 'fastify';
import { expectedFigures, ofDay, withinSketch } from '../../../tools/testing/status-data.js';
import { fixture, type Fixture } from './setup.js';

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
      ['gamma', 'unknown'],
    ]);
    expect(targets[0]!.url).toBe('https://alpha.test/path');
    expect(r.body).not.toContain('token');
    expect(r.body).not.toContain('secret error text');
    const week = expectedFigures(of('beta').filter((x) => new Date(x.startedAt) >= lastDays(7, f.now).from));
    expect(targets[1]!.uptime['7d']).toBe(week.uptimePct);
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

  it('lists open and recent incidents, without error texts by default', async () => {
    const r = await get('/api/v1/incidents');
    const body = r.json() as { kept: boolean; incidents: { id: number; target: string; resolvedAt: string | null; error?: unknown }[] };
    expect(body.kept).toBe(true);
    expect(body.incidents.map((i) => [i.target, i.resolvedAt === null])).toEqual([
      ['beta', true],
      ['alpha', false],
    ]);
    // Ids are numbers, as in the alerts' webhook body.
    const ids = await f.db.sql<{ target: string; id: string }[]>`select target, id::text from sitewatch.incidents`;
    expect(body.incidents.map((i) => i.id)).toEqual(['beta', 'alpha'].map((target) => Number(ids.find((row) => row.target === target)!.id)));
    expect(r.body).not.toContain('secret error text');
    expect((await get('/api/v1/incidents?target=alpha')).json().incidents).toHaveLength(1);
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

  it('status.svg shows the current state', async () => {
    expect((await get('/badge/beta/status.svg')).body).toContain('>down</text>');
    expect((await get('/badge/alpha/status.svg')).body).toContain('>partly down</text>');
  });
});

describe('the page', () => {
  it('shows every target with 90 bars, no query strings or error texts, and refreshes itself', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('<meta http-equiv="refresh" content="60">');
    for (const id of ['alpha', 'beta', 'gamma', 'delta']) expect(r.body).toContain(`data-target="${id}"`);
    expect(r.body.match(/<span class="l-[a-z]+" title=/g)).toHaveLength(4 * 90);
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
    expect((JSON.parse(gunzipSync(json.rawPayload).toString('utf8')) as { targets: unknown[] }).targets).toHaveLength(4);
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
