// Formatting for people and the badge's SVG.
import { describe, expect, it } from '@jest/globals';
import { renderBadge } from './badge.js';
import { duration, escapeHtml, millis, percent, reasonList } from './format.js';

describe('format', () => {
  it('never rounds a failure up to 100%', () => {
    expect(percent(99.9999)).toBe('99.99%');
    expect(percent(100)).toBe('100%');
    expect(percent(42.17)).toBe('42.1%');
    expect(percent(null)).toBe('–');
  });
  it('writes times and durations', () => {
    expect([millis(3.21), millis(85.4), millis(1240)]).toEqual(['3.2 ms', '85 ms', '1.24 s']);
    expect([duration(45_000), duration(720_000), duration(12_000_000), duration(190_000_000)]).toEqual(['45 s', '12 min', '3 h 20 min', '2 d 4 h']);
  });
  it('lists reasons, most frequent first', () => expect(reasonList({ connect: 1, timeout: 3 })).toBe('timeout 3, connect 1'));
  it('escapes markup', () => expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;'));
  it('writes characters beyond Latin-1 as references, astral ones whole', () => expect(escapeHtml('café — 東京 🚀')).toBe('café &#8212; &#26481;&#20140; &#128640;'));
});

describe('badge', () => {
  it('is an SVG with the label and value, escaped', () => {
    const svg = renderBadge('shop <7d>', '99.95%', '#2da44e');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="20"/);
    expect(svg).toContain('shop &#60;7d&#62;');
    expect(svg).toContain('fill="#2da44e"');
  });
});
