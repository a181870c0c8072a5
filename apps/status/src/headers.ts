// Security headers of every answer, chosen by what its body is: the page may apply its one
// stylesheet (by hash) and its empty data: icon and nothing else; JSON and SVG may load and
// run nothing; no answer may be framed. Badges may be embedded cross-origin as images (a
// README's <img>); everything else is same-origin.
import type { FastifyInstance } from 'fastify';
import { pageStyleSource } from './page-style.js';

// Nothing may load or run, be framed, set a base URL or submit a form.
const lockedDown = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const common = {
  'x-content-type-options': 'nosniff',
  // The page links only to its own API: no visitor's address needs to go anywhere.
  'referrer-policy': 'no-referrer',
  // For browsers without CSP frame-ancestors.
  'x-frame-options': 'DENY',
} as const;

/** The headers of a JSON answer (the API, the OpenAPI document, every error). */
export const jsonHeaders = { ...common, 'content-security-policy': lockedDown, 'cross-origin-resource-policy': 'same-origin' } as const;

/** The headers of the page: its inline stylesheet by hash, its `data:` icon. */
export const pageHeaders = { ...common, 'content-security-policy': `${lockedDown}; style-src ${pageStyleSource}; img-src data:`, 'cross-origin-resource-policy': 'same-origin' } as const;

/** The headers of a badge: an SVG that runs and loads nothing, embeddable as an image by any site. */
export const badgeHeaders = { ...common, 'content-security-policy': lockedDown, 'cross-origin-resource-policy': 'cross-origin' } as const;

/** The headers of an answer of `contentType`. */
export function securityHeaders(contentType: string): Readonly<Record<string, string>> {
  if (contentType.startsWith('text/html')) return pageHeaders;
  if (contentType.startsWith('image/svg+xml')) return badgeHeaders;
  return jsonHeaders;
}

/** Sets the security headers on every answer `app` sends (routes, 404s, errors, the router's own refusals). */
export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(securityHeaders(String(reply.getHeader('content-type') ?? '')));
    return payload;
  });
}
