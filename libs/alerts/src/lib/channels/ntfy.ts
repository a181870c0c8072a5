// ntfy: a push notification to a topic, published as JSON to the server's root (the title, the
// facts within ntfy's 4,096 bytes, so it never turns into an attachment, a priority, tags that
// show as emojis, the status page on click). The delivery's idempotency key is its
// `sequence_id`: from ntfy 2.16 a repeat replaces the notification on the phone instead of
// adding a second; older servers show it twice (README).
import type { NtfyChannel } from '../channel-options.js';
import type { NotificationKind } from '../payload.js';
import type { Channel, Delivery } from './channel.js';
import { receiptOf, request } from './http.js';
import { describeDelivery, toneOf } from './notice.js';
import { cut, cutBytes, urlSecrets } from './text.js';

const tagsOf: Record<NotificationKind, string> = {
  down: 'rotating_light',
  reminder: 'hourglass',
  resolved: 'white_check_mark',
  degraded: 'warning',
  recovered: 'white_check_mark',
  certificate_expiring: 'lock',
  certificate_expired: 'lock',
  certificate_renewed: 'white_check_mark',
};

/** 5 for a down, 4 for the other problems and warnings, 3 (ntfy's default) for good news and tests. */
function priorityOf(delivery: Delivery): number {
  if (delivery.test) return 3;
  if (delivery.payload.event === 'down') return 5;
  return toneOf(delivery.payload) === 'good' ? 3 : 4;
}

/** The server's root (where JSON is published) and the topic, from the topic's URL. */
export function ntfyTopic(url: string): { root: string; topic: string } {
  const parsed = new URL(url);
  const parts = parsed.pathname.split('/');
  const topic = parts.pop()!;
  return { root: `${parsed.origin}${parts.join('/')}/`, topic };
}

/** The JSON body of a delivery. */
export function ntfyMessage(delivery: Delivery, options: Pick<NtfyChannel, 'url' | 'priority' | 'tags'>): Record<string, unknown> {
  const { subject, lines } = describeDelivery(delivery);
  const link = delivery.payload.statusPageUrl;
  return {
    topic: ntfyTopic(options.url).topic,
    title: cut(subject, 250),
    message: cutBytes(lines.filter((line) => !line.startsWith('Status page:')).join('\n'), 4096),
    priority: options.priority ?? priorityOf(delivery),
    tags: [...new Set([tagsOf[delivery.payload.event], ...(delivery.test ? ['test_tube'] : []), ...(options.tags ?? [])])],
    ...(link === undefined ? {} : { click: link }),
    sequence_id: delivery.idempotencyKey,
  };
}

/** An ntfy channel. */
export function createNtfyChannel(name: string, options: NtfyChannel, timeoutMs: number): Channel {
  const { root, topic } = ntfyTopic(options.url);
  // The answer echoes the topic, the password of a public server.
  const secrets = [...urlSecrets(options.url), topic, ...(options.token === undefined ? [] : [options.token])];
  const headers = options.token === undefined ? undefined : { authorization: `Bearer ${options.token}` };
  return {
    name,
    type: 'ntfy',
    timeoutMs,
    async send(delivery, signal) {
      const body = JSON.stringify(ntfyMessage(delivery, options));
      return receiptOf(await request({ url: root, body, ...(headers ? { headers } : {}), signal, what: `ntfy ${name}`, secrets }), secrets);
    },
    close: async () => undefined,
  };
}
