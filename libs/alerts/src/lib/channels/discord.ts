// A Discord webhook: one embed (title, the facts, the status page as its link, a colour for
// the notification), within Discord's limits (title 256 characters, description 4,096, 6,000
// in all), with no mentions allowed (an error text cannot ping @everyone). Sent with
// `?wait=true`, so Discord answers once the message exists. A 429 says when to come back
// (`retry_after`, seconds, in its body). No idempotency key: a repeat shows twice (README).
import type { DiscordChannel } from '../channel-options.js';
import { isIncidentPayload } from '../payload.js';
import type { Channel, Delivery } from './channel.js';
import { receiptOf, request, type HttpAnswer } from './http.js';
import { describeDelivery, toneOf, type Tone } from './notice.js';
import { cut, urlSecrets } from './text.js';

const colours: Record<Tone, number> = { problem: 0xd93025, warning: 0xf29900, good: 0x1e8e3e };

/** When the event happened: the end of an incident, its escalation, its start; none for a certificate. */
function eventTime(delivery: Delivery): string | undefined {
  const { payload } = delivery;
  return isIncidentPayload(payload) ? (payload.incident.resolvedAt ?? payload.incident.escalatedAt ?? payload.incident.openedAt) : undefined;
}

/** The webhook body of a delivery. */
export function discordMessage(delivery: Delivery, username?: string): Record<string, unknown> {
  const { subject, lines } = describeDelivery(delivery);
  const link = delivery.payload.statusPageUrl;
  const time = eventTime(delivery);
  const embed = {
    title: cut(subject, 256),
    description: cut(lines.filter((line) => !line.startsWith('Status page:')).join('\n'), 4096),
    ...(link === undefined ? {} : { url: link }),
    color: colours[toneOf(delivery.payload)],
    ...(time === undefined ? {} : { timestamp: time }),
    footer: { text: 'sitewatch' },
  };
  return { ...(username === undefined ? {} : { username }), allowed_mentions: { parse: [] }, embeds: [embed] };
}

/** Discord's `retry_after` (seconds) in a 429's body. */
function retryAfterMs(answer: HttpAnswer): number | undefined {
  const seconds = (answer.json as { retry_after?: unknown } | undefined)?.retry_after;
  return typeof seconds === 'number' && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
}

/** A Discord channel. */
export function createDiscordChannel(name: string, options: DiscordChannel, timeoutMs: number): Channel {
  const url = new URL(options.url);
  url.searchParams.set('wait', 'true');
  const secrets = urlSecrets(options.url);
  return {
    name,
    type: 'discord',
    timeoutMs,
    async send(delivery, signal) {
      const body = JSON.stringify(discordMessage(delivery, options.username));
      return receiptOf(await request({ url: url.toString(), body, signal, what: `discord ${name}`, secrets, retryAfterMs }), secrets);
    },
    close: async () => undefined,
  };
}
