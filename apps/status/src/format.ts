// Small formatters shared by the page, the badges and the report.

/**
 * Text safe inside HTML or XML text and double- or single-quoted attribute values. Characters
 * beyond Latin-1 become references too, so a page stays a one-byte string in V8 (half the
 * memory, faster to encode); so do C0 controls, which a parser would otherwise drop (NUL),
 * turn into line feeds (CR) or, in an XML attribute, into spaces (tab, LF). A parser reads the
 * text back exactly, but for NUL and lone surrogates, which HTML reads as U+FFFD (for XML, see
 * `xmlText()`).
 */
export function escapeHtml(text: string): string {
  return text.replace(/[\0-\x1f&<>"']|[^\0-\xff]/gu, (c) => `&#${c.codePointAt(0)};`);
}

/** `escapeHtml()` for XML (SVG): characters XML 1.0 does not allow at all, even as references (C0 controls but tab, LF and CR; U+FFFE, U+FFFF; lone surrogates), become U+FFFD. */
export function xmlText(text: string): string {
  return escapeHtml(text.replace(/[\0-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]/gu, '\ufffd'));
}

/** An uptime percentage for people: 100 %, 99.95 %, 12.3 %; `–` for none. */
export function percent(pct: number | null): string {
  if (pct === null) return '–';
  if (pct === 100) return '100%';
  // Never round a failure up to 100%.
  const digits = pct >= 99 ? 2 : 1;
  const factor = 10 ** digits;
  return `${(Math.floor(pct * factor) / factor).toFixed(digits)}%`;
}

/** Milliseconds for people: 3.2 ms, 85 ms, 1.24 s; `–` for none. */
export function millis(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A duration for people: 45 s, 12 min, 3 h 20 min, 2 d 4 h. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Failure reasons and counts, most frequent first: `timeout 3, connect 1`. */
export function reasonList(reasons: Record<string, number>): string {
  return Object.entries(reasons)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
}
