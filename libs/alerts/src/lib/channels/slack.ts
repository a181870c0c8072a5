// A Slack incoming webhook: the notification as a short readable message (text for
// notifications and clients without blocks; a section and a context line as blocks).
import type { SlackChannel } from '../options.js';
import { describeNotification } from '../describe.js';
import type { NotificationKind, NotificationPayload } from '../payload.js';
import type { Channel } from './channel.js';
import { postJson } from './http.js';

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

/** The Slack message of a notification. */
export function slackMessage(payload: NotificationPayload): { text: string; blocks: object[] } {
  const { subject, lines } = describeNotification(payload);
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
export function createSlackChannel(name: string, options: SlackChannel): Channel {
  return {
    name,
    type: 'slack',
    async send(delivery, signal) {
      await postJson(options.url, JSON.stringify(slackMessage(delivery.payload)), { 'user-agent': 'sitewatch-alerts' }, signal, `slack ${name}`);
    },
    close: async () => undefined,
  };
}
