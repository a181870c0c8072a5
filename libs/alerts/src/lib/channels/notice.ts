// What every channel but the webhook makes of a notification: its words (describe.ts), marked
// when it is a test; how it reads at a glance (a problem, a warning, good news); and for the
// services that keep alerts (PagerDuty, Opsgenie), what it does to one and the alert's key.
import { describeNotification } from '../describe.js';
import { isIncidentPayload, type NotificationPayload } from '../payload.js';
import type { Delivery } from './channel.js';

/** The line that opens a test notification. */
export const testLine = 'This is a test notification from sitewatch-alerts test: nothing is down.';

/** A delivery in words: a subject and a few lines (`[test]` and the test line first, for a test). */
export function describeDelivery(delivery: Pick<Delivery, 'payload' | 'test'>): { subject: string; lines: string[] } {
  const { subject, lines } = describeNotification(delivery.payload);
  return delivery.test ? { subject: `[test] ${subject}`, lines: [testLine, ...lines] } : { subject, lines };
}

/** How a notification reads at a glance. */
export type Tone = 'problem' | 'warning' | 'good';

/** A problem (down, still down, an expired certificate), a warning (slow, a certificate expiring), or good news. */
export function toneOf(payload: NotificationPayload): Tone {
  switch (payload.event) {
    case 'down':
    case 'certificate_expired':
      return 'problem';
    case 'reminder':
      return payload.incident.kind === 'down' ? 'problem' : 'warning';
    case 'degraded':
    case 'certificate_expiring':
      return 'warning';
    default:
      return 'good';
  }
}

/** What a notification does to the alert it is about: open it (or add to the open one), remind of it, or close it. */
export function alertAction(payload: NotificationPayload): 'open' | 'remind' | 'close' {
  if (payload.event === 'reminder') return 'remind';
  return toneOf(payload) === 'good' ? 'close' : 'open';
}

/**
 * The key of the alert a notification opens or closes (PagerDuty's dedup_key, Opsgenie's
 * alias): one per incident (`sitewatch:<target>:incident:<id>`, which a degraded incident
 * keeps when it goes down), one per certificate of a target
 * (`sitewatch:<target>:certificate:<notAfter>`, closed when a renewed one is seen), one per test.
 */
export function alertKey(delivery: Delivery): string {
  const { payload } = delivery;
  if (delivery.test) return `sitewatch:test:${delivery.idempotencyKey}`;
  if (isIncidentPayload(payload)) return `sitewatch:${payload.target}:incident:${payload.incident.id}`;
  const certificate = payload.event === 'certificate_renewed' ? payload.certificate.previousNotAfter : payload.certificate.notAfter;
  return `sitewatch:${payload.target}:certificate:${certificate ?? payload.certificate.notAfter}`;
}
