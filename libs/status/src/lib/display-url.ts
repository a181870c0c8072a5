// What of a target's URL a public page may show. URLs can carry credentials and tokens in
// their user part or query string, so by default a page shows the origin and path only.

/** `none`: no URL; `path`: scheme, host, port and path (no credentials, query or fragment); `full`: as configured, but never credentials. */
export type UrlDisplay = 'none' | 'path' | 'full';

/**
 * The URL as `mode` allows it to be shown; undefined for `none`, a URL that does not parse, or
 * one that is not http(s) (a `javascript:` URL in the database is never handed to a page).
 */
export function displayUrl(url: string | null | undefined, mode: UrlDisplay): string | undefined {
  if (mode === 'none' || !url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  parsed.username = '';
  parsed.password = '';
  if (mode === 'path') {
    parsed.search = '';
    parsed.hash = '';
  }
  return parsed.toString();
}
