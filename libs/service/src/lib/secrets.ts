// Which values of a config file are secrets, to be scrubbed from everything a service writes:
// what `${env:}` and `${file:}` references give, the values of secret-named keys, the
// passwords written in URLs, and the strings where a schema says `secret: true` (a Slack
// URL, a webhook's headers). A secret too short to scrub without mangling the logs is a
// config problem; an empty value is no secret.
import { pointer, type Problem, type SecretValue } from '@sitewatch/schema';

/** A secret found in a config file: where, what, and whether a reference gave it. */
export interface FoundSecret extends SecretValue {
  fromReference?: boolean;
}

/** The shortest secret that can be scrubbed from a log without replacing common words and numbers. */
export const minSecretLength = 4;

/** Keys whose values are secrets wherever they are (a free-form map's keys too: a header named Authorization or X-Api-Key). */
export const secretKey = /(password|secret|token|passphrase|authorization|cookie|api-?key)$|^key$/i;

const tooShort = `a secret must be at least ${minSecretLength} characters: a shorter one cannot be scrubbed from logs`;

/** Passwords written inline in URLs (postgres://user:secret@host), each at the pointer of its URL. */
export function urlPasswords(value: unknown, at = ''): FoundSecret[] {
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value)) {
    try {
      return [{ path: at, value: decodeURIComponent(new URL(value).password) }];
    } catch {
      return [];
    }
  }
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => urlPasswords(item, pointer(at, key)));
  return [];
}

/**
 * The values to scrub (empty ones are none), and a problem at each place holding a shorter
 * one than minSecretLength: one per place, the setting's own reason before a reference's.
 */
export function checkSecrets(found: readonly FoundSecret[]): { secrets: string[]; problems: Problem[] } {
  // What may or may not be a credential (a header's value) is one only when long enough to scrub;
  // a place also found certain (a secret-named header) stays certain.
  const certain = new Set(found.filter((secret) => !secret.maybe).map((secret) => secret.path));
  const secrets = found.filter((secret) => secret.value !== '' && (!secret.maybe || certain.has(secret.path) || secret.value.length >= minSecretLength));
  const short = secrets.filter((secret) => secret.value.length < minSecretLength).sort((a, b) => Number(a.fromReference ?? false) - Number(b.fromReference ?? false));
  const problems = short
    .filter((secret, i) => short.findIndex((other) => other.path === secret.path) === i)
    .map((secret) => ({ path: secret.path, message: secret.fromReference ? `${tooShort} (\${env:} and \${file:} give secrets: write a value that is none inline)` : tooShort }));
  return { secrets: [...new Set(secrets.map((secret) => secret.value))], problems };
}
