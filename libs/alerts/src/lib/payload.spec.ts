import { describe, expect, it } from '@jest/globals';
import { slackMessage } from './channels/slack.js';
import { describeNotification, formatDuration } from './describe.js';
import type { IncidentRecord } from './incident.js';
import { certificatePayload, notificationPayload, slowPayload } from './payload.js';
import { incident as sample } from '../../test/deliveries.js';

// The sample incident of the channels' tests, numbered 7.
const incident: IncidentRecord = { ...sample, id: 7 };

const slow = { responseTimeMs: 8020.4, limitMs: 2000, rule: 'absolute', phases: { dnsMs: 1.2, tcpMs: 0.8, ttfbMs: 7900.1, downloadMs: 118.3 } } as const;
const degraded: IncidentRecord = { ...incident, kind: 'degraded', reason: 'slow', errorCode: null, errorMessage: null, slow };

describe('notifications', () => {
  it('says what failed, where and since when; a resolved one how long it lasted', () => {
    const down = notificationPayload('down', incident, { now: new Date('2026-11-27T10:06:00Z'), statusPageUrl: 'https://status.test/' });
    expect(down).toMatchObject({ version: 1, event: 'down', incident: { kind: 'down', durationMs: null, escalatedAt: null, slow: null, error: { code: 'ETIMEDOUT', message: 'no answer within 10 s' } } });
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

  it('says how slow a degraded target is and which phase took the time; a recovered one how long it was slow', () => {
    const payload = notificationPayload('degraded', degraded, { now: new Date() });
    expect(payload.incident.slow).toEqual({ ...slow, slowestPhase: 'first byte' });
    expect(describeNotification(payload)).toEqual({
      subject: 'shop is slow: 8,020 ms',
      lines: [
        'shop (https://shop.test/) is up but slow since 2026-11-27 10:03:00 UTC.',
        'How slow: 8,020 ms against a limit of 2,000 ms, mostly first byte (7,900 ms) from eu-west, us-east.',
        'Incident 7; checks 019a0000-0000-7000-8000-000000000001 to 019a0000-0000-7000-8000-000000000009.',
      ],
    });
    const recovered = notificationPayload('recovered', { ...degraded, resolvedAt: new Date('2026-11-27T10:15:00Z') }, { now: new Date() });
    expect(recovered.incident.durationMs).toBe(720_000);
    expect(describeNotification(recovered).subject).toBe('shop is fast again after 12 min');
    expect(describeNotification(notificationPayload('reminder', degraded, { now: new Date('2026-11-27T11:03:00Z') })).subject).toBe('shop is still slow');
  });

  it('says a degraded target that went down once, in its down notification', () => {
    const escalated = notificationPayload('down', { ...incident, escalatedAt: new Date('2026-11-27T10:20:00Z'), slow }, { now: new Date() });
    expect(describeNotification(escalated).lines[0]).toBe('shop (https://shop.test/) is down since 2026-11-27 10:20:00 UTC, after being slow since 2026-11-27 10:03:00 UTC.');
  });

  it('names the slowest phase, or none without phases', () => {
    expect(slowPayload({ ...slow, phases: { dnsMs: 900, tcpMs: 3, tlsMs: 40 } }).slowestPhase).toBe('dns');
    expect(slowPayload({ ...slow, phases: { tcpMs: 3000, ttfbMs: 10 } }).slowestPhase).toBe('connect');
    expect(slowPayload({ ...slow, phases: {} }).slowestPhase).toBeNull();
  });

  it('tells a certificate notice without an incident', () => {
    const check = { checkId: '019a0000-0000-7000-8000-00000000000a', location: 'eu-west', at: Date.parse('2026-12-01T00:00:00Z'), notAfter: Date.parse('2026-12-11T00:00:00Z') };
    const payload = certificatePayload({ event: 'expiring', notAfter: check.notAfter, thresholdDays: 14, daysLeft: 10, check }, { target: 'shop', url: 'https://shop.test/' }, {});
    expect(payload).toEqual({
      version: 1,
      event: 'certificate_expiring',
      target: 'shop',
      url: 'https://shop.test/',
      certificate: { notAfter: '2026-12-11T00:00:00.000Z', daysLeft: 10, thresholdDays: 14, previousNotAfter: null, checkId: check.checkId, location: 'eu-west' },
    });
    expect(describeNotification(payload).subject).toBe("shop's certificate expires in 10 days");
    expect(slackMessage(payload).text).toContain(":lock: *shop's certificate expires in 10 days*");
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
