/// <reference lib="dom" />
// The page in a real browser: Debian's headless Chromium (SITEWATCH_CHROMIUM, default
// /usr/bin/chromium; .ci/run installs it) driven by playwright-core, which never downloads a
// browser. No console errors (so no Content-Security-Policy violation: Chromium reports each as
// one), every target with 90 bars coloured by its known days and hatched on its known slow days,
// the degraded state in amber, certificates coloured by what is left of them, readable at a
// phone's width; a badge shows as an image on another site's page; a screenshot of the whole
// page goes to tmp/status-page.png, or to SITEWATCH_SCREENSHOT
// (SITEWATCH_SCREENSHOT=docs/status-page.png refreshes the one the README shows).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { levelColors, stateColors, uptimeLevel } from '@sitewatch/status';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { knownSlowDays } from '../../../tools/testing/status-alerts-data.js';
import { expectedFigures, ofDay } from '../../../tools/testing/status-data.js';
import { fixture, type Fixture } from './setup.js';

const executablePath = process.env.SITEWATCH_CHROMIUM ?? '/usr/bin/chromium';
const screenshot = path.resolve(import.meta.dirname, '../../..', process.env.SITEWATCH_SCREENSHOT ?? 'tmp/status-page.png');
const shown = [
  { id: 'epsilon', name: 'Checkout', group: 'Public' },
  { id: 'alpha', name: 'Website', group: 'Public' },
  { id: 'beta', name: 'Payments API', group: 'Public' },
  { id: 'zeta', name: 'Search', group: 'Internal' },
  { id: 'gamma', name: 'Docs', group: 'Internal' },
];

let f: Fixture;
let app: FastifyInstance;
let browser: Browser;
let url: string;

beforeAll(async () => {
  f = await fixture();
  app = await f.server({ title: 'Example status', targets: shown });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
});

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

// "#2da44e" -> "rgb(45, 164, 78)", as getComputedStyle reports colours.
const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

/** The console errors and uncaught exceptions of `page`, as they come. */
function problemsOf(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

describe('the status page in Chromium', () => {
  it('loads without console errors and shows each target with its 90 bars in the right colours', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems = problemsOf(page);
    const response = await page.goto(url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(/^default-src 'none'/);
    const cards = await page.$$eval('article.target', (list) => list.map((a) => ({ id: a.getAttribute('data-target'), name: a.querySelector('h3')?.textContent })));
    expect(cards).toEqual(shown.map((t) => ({ id: t.id, name: t.name })));
    for (const target of shown) {
      const bars = await page.$$eval(`article[data-target="${target.id}"] .bars span`, (list) => list.map((s) => ({ color: getComputedStyle(s).backgroundColor, title: s.getAttribute('title') ?? '', width: s.getBoundingClientRect().width })));
      expect(bars).toHaveLength(90);
      const days = bars.map((b) => b.title.slice(0, 10));
      const expected = days.map((day) => rgb(levelColors[uptimeLevel(expectedFigures(ofDay(f.results.filter((r) => r.targetId === target.id), day)).uptimePct)]));
      expect(bars.map((b) => b.color)).toEqual(expected);
      expect(bars.every((b) => b.width > 0)).toBe(true);
    }
    // Known days of alpha: down all day 10 days ago (red), one check in four down 3 days ago (red: 75%).
    const alpha = await page.$$eval('article[data-target="alpha"] .bars span', (list) => list.map((s) => getComputedStyle(s).backgroundColor));
    expect(alpha[89 - 10]).toBe(rgb(levelColors.outage));
    expect(alpha[89 - 1]).toBe(rgb(levelColors.ok));
    expect(await page.textContent('body')).toContain('Payments API is down');
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows the degraded state in amber, in words too; slow days hatched over their uptime colour, the tooltip saying so', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems = problemsOf(page);
    await page.goto(url, { waitUntil: 'load' });
    const pill = await page.$eval('article[data-target="epsilon"] .state', (s) => ({ text: s.textContent, background: getComputedStyle(s).backgroundColor }));
    expect(pill).toEqual({ text: 'Degraded', background: rgb(stateColors.degraded) });
    const locations = await page.$$eval('article[data-target="epsilon"] .locs li', (list) => list.map((l) => ({ text: l.textContent, color: getComputedStyle(l).color })));
    expect(locations).toEqual([
      { text: 'eu-west: degraded, 2.31 s', color: rgb('#9a6700') },
      { text: expect.stringMatching(/^us-east: up, \d+(\.\d)? ms$/), color: rgb('#1f2328') },
    ]);
    for (const target of shown) {
      const bars = await page.$$eval(`article[data-target="${target.id}"] .bars span`, (list) => list.map((s) => ({ title: s.getAttribute('title') ?? '', image: getComputedStyle(s).backgroundImage })));
      const hatched = bars.filter((b) => b.image.startsWith('repeating-linear-gradient'));
      expect({ target: target.id, days: hatched.map((b) => b.title.slice(0, 10)) }).toEqual({ target: target.id, days: [...knownSlowDays(target.id, f.now)].sort() });
      expect(hatched.every((b) => /; slow: degraded for \d/.test(b.title))).toBe(true);
      expect(bars.filter((b) => b.image === 'none')).toHaveLength(90 - hatched.length);
    }
    const degraded = await page.$$eval('h2', (list) => list.map((h) => ({ text: h.textContent, next: h.nextElementSibling?.textContent ?? '' })));
    expect(degraded.find((h) => h.text === 'Degraded: up but slow')?.next).toMatch(/^Checkout is slow: 2\.31 s, over its limit of 1\.00 s; slowest phase: first byte \(1\.90 s\)since /);
    expect(degraded.find((h) => h.text === 'Open incidents')?.next).toMatch(/Search is down: timeoutslow since \d{4}-\d\d-\d\d \d\d:\d\d UTC, down since /);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('colours a certificate inside the first warning amber and an expired one red, with the days left in words', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(url, { waitUntil: 'load' });
    const certificates = await page.$$eval('article.target', (list) =>
      list.map((a) => {
        const cert = a.querySelector('.cert');
        return [a.getAttribute('data-target'), cert?.textContent ?? null, cert ? getComputedStyle(cert).color : null];
      }),
    );
    expect(certificates).toEqual([
      ['epsilon', 'certificate: 10 days left', rgb('#9a6700')],
      ['alpha', 'certificate: 40 days left', rgb('#1f2328')],
      ['beta', null, null],
      ['zeta', expect.stringMatching(/^certificate expired \d{4}-\d\d-\d\d \d\d:\d\d UTC$/), rgb(levelColors.outage)],
      ['gamma', 'certificate: 100 days left', rgb('#1f2328')],
    ]);
    await page.close();
  });

  it("fits a phone's width (375 px) without sideways scrolling", async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 812 }, isMobile: true, deviceScaleFactor: 2 });
    await page.goto(url, { waitUntil: 'load' });
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.view);
    const bars = await page.$$eval('article[data-target="alpha"] .bars span', (list) => list.map((s) => s.getBoundingClientRect().width));
    expect(bars).toHaveLength(90);
    expect(Math.min(...bars)).toBeGreaterThan(1);
    const fontSize = await page.$eval('h3', (h) => parseFloat(getComputedStyle(h).fontSize));
    expect(fontSize).toBeGreaterThanOrEqual(13);
    await page.close();
  });

  it("shows a badge as an image on another site's page, and as a document of its own", async () => {
    // Another origin (another port): the badge's Cross-Origin-Resource-Policy must let it embed the image.
    const badge = `${url}/badge/beta/status.svg`;
    const site = http.createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><img id="badge" src="${badge}">`));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    try {
      const page = await browser.newPage();
      const problems = problemsOf(page);
      await page.goto(`http://127.0.0.1:${(site.address() as { port: number }).port}/`, { waitUntil: 'load' });
      expect(await page.$eval('#badge', (img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(40);
      await page.goto(badge, { waitUntil: 'load' });
      expect(await page.evaluate(() => [document.documentElement.localName, document.title])).toEqual(['svg', 'Payments API: down']);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await new Promise((resolve) => site.close(resolve));
    }
  });
});
