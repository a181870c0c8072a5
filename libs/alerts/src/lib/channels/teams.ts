// Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received" /
// "Post to a channel when a webhook request is received"): a message with one Adaptive Card,
// the subject in bold in the notification's colour, a line per fact, a button to the status
// page. Teams keeps a message under 28 KB: every line is cut to 2,000 bytes, so a card stays
// far below it, and is never split. No idempotency key: a repeat shows twice (README).
import type { TeamsChannel } from '../channel-options.js';
import type { Channel, Delivery } from './channel.js';
import { receiptOf, request } from './http.js';
import { describeDelivery, toneOf, type Tone } from './notice.js';
import { cutBytes, urlSecrets } from './text.js';

const colours: Record<Tone, string> = { problem: 'Attention', warning: 'Warning', good: 'Good' };

/** The Workflows webhook body of a delivery: a message with an Adaptive Card (schema 1.4). */
export function teamsMessage(delivery: Delivery): Record<string, unknown> {
  const { subject, lines } = describeDelivery(delivery);
  const link = delivery.payload.statusPageUrl;
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      { type: 'TextBlock', text: cutBytes(subject, 2000), weight: 'Bolder', size: 'Medium', color: colours[toneOf(delivery.payload)], wrap: true },
      ...lines.filter((line) => !line.startsWith('Status page:')).map((line) => ({ type: 'TextBlock', text: cutBytes(line, 2000), wrap: true, spacing: 'Small' })),
    ],
    ...(link === undefined ? {} : { actions: [{ type: 'Action.OpenUrl', title: 'Status page', url: link }] }),
  };
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
}

/** A Teams channel. */
export function createTeamsChannel(name: string, options: TeamsChannel, timeoutMs: number): Channel {
  const secrets = urlSecrets(options.url);
  return {
    name,
    type: 'teams',
    timeoutMs,
    async send(delivery, signal) {
      return receiptOf(await request({ url: options.url, body: JSON.stringify(teamsMessage(delivery)), signal, what: `teams ${name}`, secrets }), secrets);
    },
    close: async () => undefined,
  };
}
