// PagerDuty's Events API v2: a trigger for each problem and a resolve when it ends, on the
// alert keyed by the incident (dedup_key): a trigger sent again (a lost answer, a crash before
// the send was recorded) adds to the open alert instead of opening a second, and the resolve
// closes that one alert. A degraded incident that goes down stays the same incident: a new
// trigger on its key, severity critical. Reminders send nothing: PagerDuty's escalation
// policies notify again by themselves. A certificate is an alert of its own (warning while
// expiring, error once expired), resolved when a renewed certificate is seen.
import type { PagerDutyChannel } from '../channel-options.js';
import { describeFailure, describeSlowness } from '../describe.js';
import { isIncidentPayload, type NotificationPayload } from '../payload.js';
import type { Channel, Delivery } from './channel.js';
import { describeAnswer, receiptOf, request } from './http.js';
import { alertAction, alertKey, describeDelivery } from './notice.js';
import { cut } from './text.js';

/** The Events API of PagerDuty's US service region. */
export const pagerDutyUrl = 'https://events.pagerduty.com/v2/enqueue';

type Severity = 'critical' | 'error' | 'warning' | 'info';

function severityOf(delivery: Delivery): Severity {
  const { payload } = delivery;
  if (delivery.test) return 'info';
  if (payload.event === 'certificate_expired') return 'error';
  if (payload.event === 'certificate_expiring' || payload.event === 'degraded') return 'warning';
  return 'critical';
}

/** What PagerDuty shows under "custom details": the facts of the notification, by name. */
function customDetails(payload: NotificationPayload, lines: string[]): Record<string, unknown> {
  const link = payload.statusPageUrl === undefined ? {} : { status_page: payload.statusPageUrl };
  if (!isIncidentPayload(payload)) {
    const { certificate: c } = payload;
    return { event: payload.event, url: payload.url, not_after: c.notAfter, days_left: c.daysLeft, seen_by_check: c.checkId, location: c.location, ...link, text: lines.join('\n') };
  }
  const { incident } = payload;
  const slow = incident.slow === null ? {} : { slowness: describeSlowness(incident.slow), slowest_phase: incident.slow.slowestPhase, response_time_ms: incident.slow.responseTimeMs, limit_ms: incident.slow.limitMs };
  return {
    event: payload.event,
    incident: incident.id,
    kind: incident.kind,
    url: payload.url,
    reason: incident.kind === 'down' ? describeFailure(incident) : incident.reason,
    locations: incident.locations,
    opened_at: incident.openedAt,
    ...(incident.escalatedAt === null ? {} : { down_since: incident.escalatedAt }),
    ...slow,
    checks: `${incident.firstCheckId} to ${incident.lastCheckId}`,
    ...link,
    text: lines.join('\n'),
  };
}

/** The Events API v2 body of a delivery: a trigger, or a resolve of the same dedup_key. */
export function pagerDutyEvent(delivery: Delivery, routingKey: string, action = alertAction(delivery.payload)): Record<string, unknown> {
  const dedupKey = alertKey(delivery);
  if (action === 'close') return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  const { payload } = delivery;
  const { subject, lines } = describeDelivery(delivery);
  const detected = isIncidentPayload(payload) ? { timestamp: payload.incident.escalatedAt ?? payload.incident.openedAt } : {};
  const link = payload.statusPageUrl === undefined ? {} : { client_url: payload.statusPageUrl, links: [{ href: payload.statusPageUrl, text: 'Status page' }] };
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: cut(subject, 1024),
      source: payload.url,
      severity: severityOf(delivery),
      ...detected,
      component: payload.target,
      class: isIncidentPayload(payload) ? payload.incident.reason : payload.event,
      custom_details: customDetails(payload, lines),
    },
    client: 'sitewatch',
    ...link,
  };
}

/** A PagerDuty channel. */
export function createPagerDutyChannel(name: string, options: PagerDutyChannel, timeoutMs: number): Channel {
  const secrets = [options.routingKey];
  const post = (event: Record<string, unknown>, signal: AbortSignal) =>
    request({ url: options.url ?? pagerDutyUrl, body: JSON.stringify(event), signal, what: `pagerduty ${name}`, secrets });
  return {
    name,
    type: 'pagerduty',
    timeoutMs,
    async send(delivery, signal) {
      if (delivery.test) {
        // A test opens an alert (severity info) and resolves it at once.
        const opened = await post(pagerDutyEvent(delivery, options.routingKey, 'open'), signal);
        const closed = await post(pagerDutyEvent(delivery, options.routingKey, 'close'), signal);
        return { answer: `trigger: ${describeAnswer(opened, secrets)}; resolve: ${describeAnswer(closed, secrets)}`, sent: true };
      }
      if (alertAction(delivery.payload) === 'remind') return { answer: 'not sent: PagerDuty notifies again by itself (escalation policies)', sent: false };
      return receiptOf(await post(pagerDutyEvent(delivery, options.routingKey), signal), secrets);
    },
    close: async () => undefined,
  };
}
