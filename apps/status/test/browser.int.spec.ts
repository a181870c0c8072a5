/// <reference lib="dom" />
// The page in a real browser: Debian's headless Chromium (SITEWATCH_CHROMIUM, default
// /usr/bin/chromium; .ci/run installs it) driven by playwright-core, which never downloads a
// browser. No console errors, every target with 90 bars coloured by its known days, readable at
// a phone's width; a screenshot goes to tmp/status-page.png, or to SITEWATCH_SCREENSHOT
// (SITEWATCH_SCREENSHOT=docs/status-page.png refreshes the one the README shows).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { levelColors, uptimeLevel } from '@sitewatch/status';
import { chromium, type Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { expectedFigures, ofDay } from '../../../tools/testing/status-data.js';
import { fixture, type Fixture } from './setup.js';

const executablePath = process.env.SITEWATCH_CHROMIUM ?? '/usr/bin/chromium';
const screenshot = path.resolve(import.meta.dirname, '../../..', process.env.SITEWATCH_SCREENSHOT ?? 'tmp/status-page.png');
const shown = [
  { id: 'alpha', name: 'Website', group: 'Public' },
  { id: 'beta', name: 'Payments API', group: 'Public' },
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

describe('the status page in Chromium', () => {
  it('loads without console errors and shows each target with its 90 bars in the right colours', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const response = await page.goto(url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
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
    await page.screenshot({ path: screenshot, fullPage: false });
    expect(problems).toEqual([]);
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
});
