// The pure parts of the read model: windows, levels, URLs shown, the UUIDv7 floor, error codes.
import { describe, expect, it } from '@jest/globals';
import { displayUrl } from './display-url.js';
import { statusErrorCodes } from './errors.js';
import { uptimeLevel } from './levels.js';
import { uuidv7Floor } from './raw.js';
import { checkRange, lastDays, lastUtcDays } from './windows.js';

describe('windows', () => {
  const now = new Date('2026-11-29T20:45:12Z');
  it('counts the last days by whole hours', () => {
    expect(lastDays(1, now)).toEqual({ from: new Date('2026-11-28T20:00:00Z'), to: now });
  });
  it('gives 90 UTC days ending today', () => {
    const days = lastUtcDays(90, now);
    expect(days).toHaveLength(90);
    expect(days.at(-1)).toEqual(new Date('2026-11-29T00:00:00Z'));
    expect(days[0]).toEqual(new Date('2026-09-01T00:00:00Z'));
  });
  it('rejects ranges that are not ones', () => {
    expect(() => checkRange({ from: now, to: now })).toThrow(/to: must be after from/);
    expect(() => checkRange({ from: new Date('x'), to: now })).toThrow(/from: must be a valid date/);
    expect(() => checkRange({ from: new Date(0), to: now })).toThrow(/at most/);
  });
});

describe('uptime levels', () => {
  it.each([
    [null, 'none'],
    [100, 'ok'],
    [99.9, 'ok'],
    [99.5, 'minor'],
    [96, 'major'],
    [50, 'outage'],
  ] as const)('%s is %s', (pct, level) => expect(uptimeLevel(pct)).toBe(level));
});

describe('displayUrl', () => {
  const url = 'https://user:pw@example.com:8443/a/b?token=x#frag';
  it('shows origin and path by default rules', () => expect(displayUrl(url, 'path')).toBe('https://example.com:8443/a/b'));
  it('never shows credentials', () => expect(displayUrl(url, 'full')).toBe('https://example.com:8443/a/b?token=x#frag'));
  it('shows nothing for none or junk', () => {
    expect(displayUrl(url, 'none')).toBeUndefined();
    expect(displayUrl('not a url', 'path')).toBeUndefined();
  });
  it('shows only http(s) URLs: never a script, data or file URL', () => {
    for (const bad of ['javascript:alert(1)//https://x.test/', ' JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd', 'vbscript:msgbox(1)']) {
      expect([bad, displayUrl(bad, 'full'), displayUrl(bad, 'path')]).toEqual([bad, undefined, undefined]);
    }
    expect(displayUrl('HTTP://Shop.TEST/a', 'path')).toBe('http://shop.test/a');
  });
});

describe('uuidv7Floor', () => {
  it('is the smallest UUIDv7 of a millisecond', () => {
    expect(uuidv7Floor(new Date(0x0190_1234_5678))).toBe('01901234-5678-0000-0000-000000000000');
  });
});

describe('error codes', () => {
  it('all start with ERR_STATUS_', () => {
    for (const code of statusErrorCodes) expect(code).toMatch(/^ERR_STATUS_/);
  });
});
