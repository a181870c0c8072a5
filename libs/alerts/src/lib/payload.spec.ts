import { describe, expect, it } from '@jest/globals';
import { slackMessage } from './channels/slack.js';
import { signature } from './channels/webhook.js';
import type { IncidentRecord } from './incident.js';
import { describeNotification, formatDuration, notificationPayload } from './payload.js';

const incident: IncidentRecord = {
  id: 7,
  target: 'shop',
  url: 'https://shop.test/',
  openedAt: new Date('2026-11-27T10:03:00Z'),
  resolvedAt: null,
  reason: 'timeout',
  statusCode: null,
  errorCode: 'ETIMEDOUT',
  errorMessage: 'no answer within 10 s',
  locations: ['eu-west', 'us-east'],
  firstCheckId: '019a0000-0000-7000-8000-000000000001',
  lastCheckId: '019a0000-0000-7000-8000-000000000009',
  inMaintenance: false,
};

describe('notifications', () => {
  it('says what failed, where and since when; a resolved one how long it lasted', () => {
    const down = notificationPayload('down', incident, { now: new Date('2026-11-27T10:06:00Z'), statusPageUrl: 'https://status.test/' });
    expect(down).toMatchObject({ version: 1, event: 'down', incident: { durationMs: null, error: { code: 'ETIMEDOUT', message: 'no answer within 10 s' } } });
    expect(describeNotification(down)).toEqual({
      subject: 'shop is down: timeout',
      lines: [
        'shop (https://shop.test/) is down since 2026-11-27 10:03:00 UTC.',
        'What failed: timeout (ETIMEDOUT: no answer within 10 s) from eu-west, us-east.',
        'Incident 7; checks 019a0000-0000-7000-8000-000000000001 to 019a0000-0000-7000-8000-000000000009.',
        'Status page: https://status.test/',
      ],
    });
    const resolved = notificationPayload('resolved', { ...incident, resolvedAt: new Date('2026-11-27T11:15:30Z') }, { now: new Date() });
    expect(resolved.incident.durationMs).toBe(4_350_000);
    expect(describeNotification(resolved).subject).toBe('shop is up again after 1 h 12 min');
    const reminder = notificationPayload('reminder', incident, { now: new Date('2026-11-27T10:33:00Z'), reminder: 2 });
    expect(describeNotification(reminder).lines[0]).toBe('shop (https://shop.test/) is still down (for 30 min, reminder 2) since 2026-11-27 10:03:00 UTC.');
  });

  it('formats durations with their two largest units', () => {
    expect([0, 999, 45_000, 750_000, 7_500_000, 90_000_000, 86_400_000].map(formatDuration)).toEqual(['0 s', '1 s', '45 s', '12 min 30 s', '2 h 5 min', '1 d 1 h', '1 d']);
  });

  it('reads well in Slack, with the status page as a link and reserved characters escaped', () => {
    const message = slackMessage(notificationPayload('down', { ...incident, target: 'a<b>&c' }, { now: new Date(), statusPageUrl: 'https://status.test/' }));
    expect(message.text).toBe(':red_circle: *a&lt;b&gt;&amp;c is down: timeout*\na&lt;b&gt;&amp;c (https://shop.test/) is down since 2026-11-27 10:03:00 UTC. <https://status.test/|Status page>');
    expect(message.blocks).toHaveLength(2);
  });
});
