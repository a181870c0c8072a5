// The generic webhook: the notification's JSON, an Idempotency-Key stable across attempts,
// and an HMAC-SHA256 signature of the timestamp and the body (so a receiver can check who
// sent it, and refuse a replay of an old request).
import { createHmac } from 'node:crypto';
import type { WebhookChannel } from '../options.js';
import type { Channel } from './channel.js';
import { postJson } from './http.js';

/** `sha256=` and the hex HMAC-SHA256 of `${timestamp}.${body}` with the secret: the X-Sitewatch-Signature header. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A webhook channel. */
export function createWebhookChannel(name: string, options: WebhookChannel, now: () => Date): Channel {
  return {
    name,
    type: 'webhook',
    async send(delivery, signal) {
      const timestamp = String(Math.floor(now().getTime() / 1000));
      const headers: Record<string, string> = {
        ...options.headers,
        'user-agent': 'sitewatch-alerts',
        'idempotency-key': delivery.idempotencyKey,
        'x-sitewatch-event': delivery.payload.event,
        'x-sitewatch-timestamp': timestamp,
        ...(options.secret === undefined ? {} : { 'x-sitewatch-signature': signature(options.secret, timestamp, delivery.body) }),
      };
      await postJson(options.url, delivery.body, headers, signal, `webhook ${name}`);
    },
    close: async () => undefined,
  };
}
