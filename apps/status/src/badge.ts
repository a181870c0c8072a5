// SVG badges in the look of shields.io's "flat" style: a grey label, a coloured value.
// Text widths are estimated from Verdana 11px advance widths (no font files read).
import { xmlText as e } from './format.js';

// Approximate advance widths in px of Verdana at 11px; other characters count as 7.
const narrow = new Set('fijlrt.,:;!|\'() '.split(''));
const wide = new Set('mwMW%@'.split(''));

function textWidth(text: string): number {
  let width = 0;
  for (const c of text) width += narrow.has(c) ? 4 : wide.has(c) ? 10 : c >= 'A' && c <= 'Z' ? 7.5 : 7;
  return Math.round(width);
}

/** A badge with `label` on grey and `value` on `color` (a CSS hex colour). */
export function renderBadge(label: string, value: string, color: string): string {
  const lw = textWidth(label) + 10;
  const vw = textWidth(value) + 10;
  const w = lw + vw;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${e(`${label}: ${value}`)}"><title>${e(`${label}: ${value}`)}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${vw}" height="20" fill="${e(color)}"/><rect width="${w}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${e(label)}</text><text x="${lw / 2}" y="14">${e(label)}</text>
<text x="${lw + vw / 2}" y="15" fill="#010101" fill-opacity=".3">${e(value)}</text><text x="${lw + vw / 2}" y="14">${e(value)}</text></g></svg>`;
}
