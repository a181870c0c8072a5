// When a certificate fails verification the request's socket is destroyed before its
// certificate can be read. A second, handshake-only connection (no HTTP request, so no header
// is ever sent to an unverified server) reads it, so the result can say e.g. when it expired.
import { isIP, type LookupFunction } from 'node:net';
import tls from 'node:tls';
import { certificateExpiry } from './timings.js';

/**
 * notAfter (ISO 8601) of the certificate the server at `url` presents; undefined if it cannot
 * be read in time. The name is resolved again, by `lookup`: the check's, so this connection
 * too goes through the resolver and never to a blocked network.
 */
export function peekCertificateExpiry(url: URL, timeoutMs: number, lookup: LookupFunction): Promise<string | undefined> {
  return new Promise((resolve) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tls.connect({
      host,
      port: Number(url.port) || 443,
      lookup,
      // SNI must be a name, never an address (RFC 6066).
      ...(isIP(host) === 0 ? { servername: host } : {}),
      rejectUnauthorized: false,
    });
    const done = (notAfter: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(notAfter);
    };
    const timer = setTimeout(() => done(undefined), Math.max(timeoutMs, 0));
    socket.once('secureConnect', () => done(certificateExpiry(socket)));
    socket.once('error', () => done(undefined));
  });
}
