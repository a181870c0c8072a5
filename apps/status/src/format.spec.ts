// Formatting for people and the badge's SVG; escaping checked by parsing what it wrote, for
// any string, hostile pieces mixed in.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { by, elements, parseHtml, parseXml, select, text } from '../test/markup.js';
import { renderBadge } from './badge.js';
import { duration, escapeHtml, millis, percent, reasonList } from './format.js';

const hostilePieces = ['<', '>', '&', '"', "'", '&amp;', '&#0;', '</p>', '</title>', '<script>alert(1)</script>', '</style>', 'javascript:', ']]>', '<!--', '\0', '\r', '\r\n', '\t', '\n', '\x01', '\x7f', '\x85', '\ufffe', '\ud83d', '\udca9', '💩'];
/** Any string: any code points (lone surrogates too) with hostile pieces mixed in. */
const anyText = fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom(...hostilePieces)), { maxLength: 12 }).map((parts) => parts.join(''));
/** What an HTML parser reads back from escaped text: NUL and lone surrogates are U+FFFD. */
const htmlReads = (s: string) => s.replace(/[\0\ud800-\udfff]/gu, '\ufffd');
/** What an XML parser reads back from xmlText(): what XML 1.0 does not allow is U+FFFD. */
const xmlReads = (s: string) => s.replace(/[\0-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]/gu, '\ufffd');

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

describe('escaping', () => {
  it('lets an HTML parser read any text back exactly, as text and as an attribute value, and adds no element', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const { root } = parseHtml(`<!doctype html><title>${escapeHtml(s)}</title><p title="${escapeHtml(s)}" data-x='${escapeHtml(s)}'>${escapeHtml(s)}</p>`);
        const [p] = select(root, by('p'));
        expect([text(select(root, by('title'))[0]!), p!.attrs.title, p!.attrs['data-x'], text(p!)]).toEqual(Array(4).fill(htmlReads(s)));
        expect(elements(root).map((e) => e.name)).toEqual(['html', 'head', 'title', 'body', 'p']);
      }),
      { numRuns: 500 },
    );
  });
});

describe('badge', () => {
  it('is well-formed XML for any label and value, which it shows exactly', () => {
    fc.assert(
      fc.property(anyText, anyText, (label, value) => {
        const svg = parseXml(renderBadge(label, value, '#2da44e'));
        const both = xmlReads(`${label}: ${value}`);
        expect([svg.name, svg.attrs['aria-label'], text(select(svg, by('title'))[0]!)]).toEqual(['svg', both, both]);
        expect(select(svg, by('text')).map(text)).toEqual([label, label, value, value].map(xmlReads));
        expect([...new Set(elements(svg).map((e) => e.name))].sort()).toEqual(['clipPath', 'g', 'linearGradient', 'rect', 'stop', 'svg', 'text', 'title']);
      }),
      { numRuns: 300 },
    );
  });

  it('is an SVG with the label and value, escaped', () => {
    const svg = renderBadge('shop <7d>', '99.95%', '#2da44e');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="20"/);
    expect(svg).toContain('shop &#60;7d&#62;');
    expect(svg).toContain('fill="#2da44e"');
  });
});
