// Text of the channels: cut to a service's limit (never split: one notification, one message),
// and scrubbed of a channel's secrets before it reaches an error, a log or the database.

const ellipsis = '…';

/** `text` in at most `max` characters (code points): cut, with an ellipsis, when longer. */
export function cut(text: string, max: number): string {
  const points = [...text];
  return points.length <= max ? text : points.slice(0, Math.max(0, max - 1)).join('') + ellipsis;
}

/** `text` in at most `maxBytes` bytes of UTF-8: cut at a character boundary, with an ellipsis, when longer. */
export function cutBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let kept = '';
  let bytes = Buffer.byteLength(ellipsis);
  for (const point of text) {
    bytes += Buffer.byteLength(point);
    if (bytes > maxBytes) break;
    kept += point;
  }
  return kept + ellipsis;
}

/** `text` with every secret of at least 4 characters replaced by `[secret]`. */
export function scrub(text: string, secrets: readonly string[]): string {
  return secrets.filter((secret) => secret.length >= 4).reduce((scrubbed, secret) => scrubbed.replaceAll(secret, '[secret]'), text);
}

/**
 * What to scrub of a URL whose path or query is a credential: the URL, its path and query,
 * and each part of them long enough to be a token (an answer may echo any of them).
 */
export function urlSecrets(url: string): string[] {
  const parsed = new URL(url);
  const parts = [...parsed.pathname.split('/'), ...[...parsed.searchParams.values()]].map((part) => decodeURIComponent(part)).filter((part) => part.length >= 16);
  return [url, `${parsed.pathname}${parsed.search}`, ...parts];
}

/** One line: runs of white space (new lines too) as one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
