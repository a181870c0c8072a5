// The page, the JSON API and the badges over hostile data: target ids, names, groups, the title,
// URLs, locations (a down one and a degraded one) and error texts holding a script, an event
// handler, a closing style tag, both quotes, entity syntax, a javascript: URL and an astral
// character, and a degraded incident's slow check with a hostile phase name and value, or junk. Each answer is parsed as a
// browser would read it (parse5; a strict XML parser for SVG): no element, attribute or link the
// page does not make itself, and every string read back exactly where it is shown.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { displayUrl } from '@sitewatch/status';
import type { FastifyInstance } from 'fastify';
import { hostile, hostileTargets, storeHostile, type HostileTarget } from '../../../tools/testing/status-data.js';
import { pageStyleSource } from '../src/page-style.js';
import { by, elements, parseHtml, parseXml, select, text, type Element } from './markup.js';
import { fixture, type Fixture } from './setup.js';

const title = `Status ${hostile}`;
let f: Fixture;
let listed: FastifyInstance;
let all: FastifyInstance;

beforeAll(async () => {
  f = await fixture();
  await storeHostile(f.db.url, f.db.sql, f.now);
  listed = await f.server({ title, showErrors: true, showUrls: 'full', targets: hostileTargets.map(({ id, name, group }) => ({ id, name, group })) });
  all = await f.server({ title, showErrors: true, showUrls: 'full' });
});
afterAll(() => f?.close());

// What the page is made of, whatever the data.
const pageElements = ['html', 'head', 'meta', 'link', 'title', 'style', 'body', 'header', 'h1', 'p', 'main', 'h2', 'ul', 'li', 'strong', 'br', 'span', 'section', 'article', 'div', 'h3', 'footer', 'a'];
const pageAttributes = ['lang', 'charset', 'rel', 'href', 'name', 'content', 'http-equiv', 'class', 'id', 'data-target', 'data-state', 'title', 'role', 'aria-label'];
const badgeElements = ['svg', 'title', 'linearGradient', 'stop', 'clipPath', 'rect', 'g', 'text'];
const badgeAttributes = ['xmlns', 'width', 'height', 'role', 'aria-label', 'id', 'x', 'x2', 'y', 'y2', 'offset', 'stop-color', 'stop-opacity', 'rx', 'fill', 'clip-path', 'text-anchor', 'font-family', 'font-size', 'fill-opacity'];

/** The page of `app`, parsed: no parse error, nothing the page does not make itself, its one stylesheet the one its CSP allows. */
async function page(app: FastifyInstance): Promise<Element> {
  const response = await app.inject('/');
  expect(response.statusCode).toBe(200);
  const { root, errors } = parseHtml(response.body);
  expect(errors.map((e) => e.code)).toEqual([]);
  const found = elements(root);
  expect([...new Set(found.map((e) => e.name))].filter((name) => !pageElements.includes(name))).toEqual([]);
  expect([...new Set(found.flatMap((e) => Object.keys(e.attrs)))].filter((name) => !pageAttributes.includes(name))).toEqual([]);
  expect(found.flatMap((e) => (e.attrs.href === undefined ? [] : [e.attrs.href]))).toEqual(['data:,', 'api/v1/targets', 'api/v1/openapi.json']);
  expect(select(root, by('style')).map((s) => `'sha256-${createHash('sha256').update(text(s)).digest('base64')}'`)).toEqual([pageStyleSource]);
  return root;
}

const card = (root: Element, t: HostileTarget) => {
  const cards = select(root, (e) => e.name === 'article' && e.attrs['data-target'] === t.id);
  expect(cards).toHaveLength(1);
  return cards[0]!;
};

describe('the page over hostile data', () => {
  it('shows every hostile string as text, exactly, and runs nothing', async () => {
    const root = await page(listed);
    expect([text(select(root, by('title'))[0]!), text(select(root, by('h1'))[0]!)]).toEqual([title, title]);
    for (const t of hostileTargets) {
      const article = card(root, t);
      expect(text(select(article, by('h3'))[0]!)).toBe(t.name);
      const section = select(root, (e) => e.name === 'section' && elements(e).includes(article))[0]!;
      expect(text(select(section, by('h2'))[0]!)).toBe(t.group);
      expect(select(article, by('p', 'url')).map(text)).toEqual(t.url.startsWith('javascript:') ? [] : [displayUrl(t.url, 'full')]);
      expect(select(article, by('li')).map((li) => [li.attrs.class, text(li)])).toEqual([
        ['down', `${t.location}: down: status (503) — ${t.errorMessage}`],
        ['degraded', `${t.slowLocation}: degraded, 43 ms`],
      ]);
      expect(article.attrs['data-state']).toBe('partial');
      const incident = select(root, (e) => by('li', 'incident')(e) && text(select(e, by('strong'))[0]!) === t.name);
      expect(incident.map(text)).toEqual([expect.stringContaining(`${t.name} is down: status · 503 · ${t.errorMessage}`), expect.stringContaining(`${t.name} was slow`)]);
      expect(text(incident[0]!)).toContain(`from ${t.location}`);
      expect(text(incident[1]!)).toContain(`from ${t.slowLocation}`);
    }
    const [h1, h2] = hostileTargets.map((t) => select(root, (e) => by('li', 'incident')(e) && by('li', 'degraded')(e) && text(select(e, by('strong'))[0]!) === t.name).map(text)[0]!);
    // h1's slow check has a hostile phase name and a hostile phase value beside real figures: only the figures show; h2's is junk: nothing of it shows.
    expect(h1).toMatch(/was slow: 2\.50 s, over its limit of 1\.00 s \(relative: its p95 over 7 days was 500 ms\); slowest phase: first byte \(2\.00 s\)/);
    expect([h2!.startsWith(`${hostileTargets[1]!.name} was slow`), h2!.includes('was slow:')]).toEqual([true, false]);
  });

  it('names a target by its id when every target is published', async () => {
    const root = await page(all);
    for (const t of hostileTargets) expect(text(select(card(root, t), by('h3'))[0]!)).toBe(t.id);
  });
});

// h1's slow check as shown: its figures, the phases the alerts name with numbers, its slowest phase.
const shownH1Slow = { responseTimeMs: 2500, limitMs: 1000, rule: 'relative', recentP95Ms: 2400, baselineP95Ms: 500, phases: { ttfbMs: 2000 }, slowestPhase: 'first byte' };

describe('the JSON API over hostile data', () => {
  it('returns every hostile string exactly, and no URL that is not http(s)', async () => {
    const { targets } = (await listed.inject('/api/v1/targets')).json<{ targets: Record<string, unknown>[] }>();
    expect(targets).toEqual(
      hostileTargets.map((t) => ({
        id: t.id,
        name: t.name,
        group: t.group,
        ...(t.url.startsWith('javascript:') ? {} : { url: displayUrl(t.url, 'full') }),
        state: 'partial',
        locations: [expect.objectContaining({ location: t.location, state: 'down', error: { code: t.errorCode, message: t.errorMessage } }), expect.objectContaining({ location: t.slowLocation, state: 'degraded' })],
        certificate: null,
        uptime: expect.any(Object),
        p50Ms: expect.any(Object),
        p95Ms: expect.any(Object),
      })),
    );
    for (const t of hostileTargets) {
      const id = encodeURIComponent(t.id);
      const { incidents } = (await listed.inject(`/api/v1/incidents?target=${id}`)).json<{ incidents: Record<string, unknown>[] }>();
      expect(incidents).toEqual([
        expect.objectContaining({ id: expect.any(Number), kind: 'down', target: t.id, name: t.name, locations: [t.location], slow: null, error: { code: t.errorCode, message: t.errorMessage } }),
        expect.objectContaining({ id: expect.any(Number), kind: 'degraded', target: t.id, name: t.name, locations: [t.slowLocation], slow: t === hostileTargets[0] ? shownH1Slow : null }),
      ]);
      expect((await listed.inject(`/api/v1/targets/${id}/daily?days=1`)).json()).toMatchObject({ target: t.id, days: [{ checks: 2, up: 1 }] });
      expect((await listed.inject(`/api/v1/targets/${id}/summary`)).json()).toMatchObject({ target: t.id, checks: 2, reasons: { status: 1 } });
    }
  });

  it('repeats an unknown hostile id in its 404 exactly, as JSON', async () => {
    const id = `<script>alert(1)</script>"'&💩`;
    const response = await listed.inject(`/api/v1/targets/${encodeURIComponent(id)}/summary`);
    expect([response.statusCode, response.headers['content-type'], response.headers['x-content-type-options']]).toEqual([404, 'application/json; charset=utf-8', 'nosniff']);
    expect(response.json()).toEqual({ error: { code: 'ERR_STATUS_UNKNOWN_TARGET', message: `no target ${JSON.stringify(id)} is shown here` } });
  });
});

describe('badges over hostile data', () => {
  /** The badge at `path`, parsed as well-formed XML: its label and value as shown, nothing but the badge's own elements and attributes. */
  async function badge(app: FastifyInstance, path: string): Promise<{ label: string; value: string }> {
    const response = await app.inject(path);
    expect([response.statusCode, response.headers['content-type']]).toEqual([200, 'image/svg+xml; charset=utf-8']);
    const svg = parseXml(response.body);
    const found = elements(svg);
    expect([...new Set(found.map((e) => e.name))].filter((name) => !badgeElements.includes(name))).toEqual([]);
    expect([...new Set(found.flatMap((e) => Object.keys(e.attrs)))].filter((name) => !badgeAttributes.includes(name))).toEqual([]);
    const [label, , value] = select(svg, by('text')).map(text);
    expect([svg.attrs['aria-label'], text(select(svg, by('title'))[0]!)]).toEqual([`${label}: ${value}`, `${label}: ${value}`]);
    return { label: label!, value: value! };
  }

  it('are well-formed SVG whose text is the hostile name exactly, at the percent-encoded id', async () => {
    for (const t of hostileTargets) {
      const path = `/badge/${encodeURIComponent(t.id)}`;
      expect(await badge(listed, `${path}/status.svg`)).toEqual({ label: t.name, value: 'partly down' });
      expect(await badge(listed, `${path}/uptime-24h.svg`)).toEqual({ label: `${t.name} 24h`, value: '50.0%' });
      expect(await badge(all, `${path}/status.svg`)).toEqual({ label: t.id, value: 'partly down' });
    }
  });

  it('need the id percent-encoded: its "/" unencoded is another path', async () => {
    const [, h2] = hostileTargets;
    const raw = `/badge/${h2!.id.split('/')[0]}/${encodeURIComponent(h2!.id.split('/').slice(1).join('/'))}/status.svg`;
    const response = await listed.inject(raw);
    expect([response.statusCode, response.json<{ error: { code: string } }>().error.code]).toEqual([404, 'ERR_STATUS_NOT_FOUND']);
  });
});
