// The generic webhook: the notification's JSON, an Idempotency-Key stable across attempts,
// and HMAC-SHA256 signatures (so a receiver can check who sent it, and refuse a replay).
// v2 signs the timestamp, the idempotency key and the body: a captured request cannot be
// sent again under a new key. v1 signed only the timestamp and the body; it is still sent,
// in its own header so that v1 verifiers keep working, until the next release removes it.
import { createHmac } from 'node:crypto';
import type { WebhookChannel } from '../channel-options.js';
import type { Channel } from './channel.js';
import { receiptOf, request } from './http.js';
import { urlSecrets } from './text.js';

const hmac = (secret: string, signed: string) => `sha256=${createHmac('sha256', secret).update(signed).digest('hex')}`;

/** `sha256=` and the hex HMAC-SHA256 of `v2.${timestamp}.${idempotencyKey}.${body}` with the secret: the X-Sitewatch-Signature-V2 header. */
export function signatureV2(secret: string, timestamp: string, idempotencyKey: string, body: string): string {
  return hmac(secret, `v2.${timestamp}.${idempotencyKey}.${body}`);
}

/**
 * `sha256=` and the hex HMAC-SHA256 of `${timestamp}.${body}` with the secret: the
 * X-Sitewatch-Signature header (v1).
 * @deprecated It leaves the idempotency key unsigned; use signatureV2. Removed in the next release.
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return hmac(secret, `${timestamp}.${body}`);
}

/** A webhook channel. */
export function createWebhookChannel(name: string, options: WebhookChannel, timeoutMs: number, now: () => Date): Channel {
  const { secret } = options;
  // An answer may echo the URL's token, a header's credential or (a broken receiver) the key.
  const secrets = [...urlSecrets(options.url), ...Object.values(options.headers ?? {}), ...(secret === undefined ? [] : [secret])];
  return {
    name,
    type: 'webhook',
    timeoutMs,
    async send(delivery, signal) {
      const timestamp = String(Math.floor(now().getTime() / 1000));
      const signatures: Record<string, string> =
        secret === undefined
          ? {}
          : {
              'x-sitewatch-signature-v2': signatureV2(secret, timestamp, delivery.idempotencyKey, delivery.body),
              'x-sitewatch-signature': signature(secret, timestamp, delivery.body),
            };
      const headers: Record<string, string> = {
        ...options.headers,
        'idempotency-key': delivery.idempotencyKey,
        'x-sitewatch-event': delivery.payload.event,
        'x-sitewatch-timestamp': timestamp,
        ...signatures,
        ...(delivery.test ? { 'x-sitewatch-test': 'true' } : {}),
      };
      return receiptOf(await request({ url: options.url, body: delivery.body, headers, signal, what: `webhook ${name}`, secrets }), secrets);
    },
    close: async () => undefined,
  };
}
