// A Slack incoming webhook: the notification as a short readable message (text for
// notifications and clients without blocks; a section and a context line as blocks).
import type { SlackChannel } from '../channel-options.js';
import type { NotificationKind, NotificationPayload } from '../payload.js';
import type { Channel } from './channel.js';
import { receiptOf, request } from './http.js';
import { describeDelivery } from './notice.js';
import { urlSecrets } from './text.js';

const icons: Record<NotificationKind, string> = {
  down: ':red_circle:',
  reminder: ':red_circle:',
  resolved: ':large_green_circle:',
  degraded: ':large_orange_circle:',
  recovered: ':large_green_circle:',
  certificate_expiring: ':lock:',
  certificate_expired: ':red_circle:',
  certificate_renewed: ':white_check_mark:',
};

/** Slack's `<url|label>` with the characters it reserves escaped. */
const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The Slack message of a notification (marked as a test for `sitewatch-alerts test`). */
export function slackMessage(payload: NotificationPayload, test = false): { text: string; blocks: object[] } {
  const { subject, lines } = describeDelivery({ payload, test });
  const [first, ...rest] = lines.filter((line) => !line.startsWith('Status page:'));
  const link = payload.statusPageUrl ? ` <${escape(payload.statusPageUrl)}|Status page>` : '';
  const text = `${icons[payload.event]} *${escape(subject)}*\n${escape(first ?? '')}${link}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: rest.map((line) => ({ type: 'mrkdwn', text: escape(line) })) },
    ],
  };
}

/** A Slack channel. */
export function createSlackChannel(name: string, options: SlackChannel, timeoutMs: number): Channel {
  const secrets = urlSecrets(options.url);
  return {
    name,
    type: 'slack',
    timeoutMs,
    async send(delivery, signal) {
      const body = JSON.stringify(slackMessage(delivery.payload, delivery.test));
      return receiptOf(await request({ url: options.url, body, signal, what: `slack ${name}`, secrets }), secrets);
    },
    close: async () => undefined,
  };
}
