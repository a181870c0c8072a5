// Opsgenie's Alert API: an alert for each problem, created with the incident's alias (Opsgenie
// keeps one open alert per alias: a create sent again, after a lost answer or a crash, only
// counts up the open one), and closed by that alias when it ends. A degraded incident that
// goes down stays one alert: created again (counted), then raised to P1 with the down
// message. A reminder is a note on the alert. A certificate is an alert of its own, closed
// when a renewed certificate is seen. Opsgenie answers 202 and then processes each request
// on its own: a close of an alert it does not hold fails there, and is not seen here.
import type { OpsgenieChannel } from '../channel-options.js';
import { describeFailure } from '../describe.js';
import { isIncidentPayload, type NotificationPayload } from '../payload.js';
import type { Channel, Delivery } from './channel.js';
import { describeAnswer, request, type HttpAnswer } from './http.js';
import { alertAction, alertKey, describeDelivery } from './notice.js';
import { cut } from './text.js';

/** The API of each Opsgenie instance. */
export const opsgenieUrls = { us: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' } as const;

type Priority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';

function priorityOf(delivery: Delivery): Priority {
  if (delivery.test) return 'P5';
  const { payload } = delivery;
  if (payload.event === 'certificate_expired') return 'P2';
  if (isIncidentPayload(payload) && payload.incident.kind === 'down') return 'P1';
  return 'P3';
}

/** The alert's details: string values, each cut so that all of them stay within Opsgenie's 8,000 characters. */
function details(payload: NotificationPayload): Record<string, string> {
  const facts: Record<string, unknown> = isIncidentPayload(payload)
    ? {
        incident: payload.incident.id,
        kind: payload.incident.kind,
        reason: payload.incident.kind === 'down' ? describeFailure(payload.incident) : payload.incident.reason,
        locations: payload.incident.locations.join(', '),
        openedAt: payload.incident.openedAt,
        slowestPhase: payload.incident.slow?.slowestPhase ?? undefined,
      }
    : { notAfter: payload.certificate.notAfter, daysLeft: payload.certificate.daysLeft, location: payload.certificate.location };
  const all = { url: payload.url, ...facts, statusPage: payload.statusPageUrl };
  return Object.fromEntries(Object.entries(all).flatMap(([key, value]) => (value === undefined || value === null ? [] : [[key, cut(String(value), 1000)]])));
}

/** The create-alert body of a delivery. */
export function opsgenieAlert(delivery: Delivery, extraTags: readonly string[] = []): Record<string, unknown> {
  const { payload } = delivery;
  const { subject, lines } = describeDelivery(delivery);
  const kind = isIncidentPayload(payload) ? payload.incident.kind : 'certificate';
  return {
    message: cut(subject, 130),
    alias: alertKey(delivery),
    description: cut(lines.join('\n\n'), 15_000),
    tags: [...new Set(['sitewatch', kind, ...extraTags])].slice(0, 20),
    details: details(payload),
    entity: cut(payload.target, 512),
    source: 'sitewatch',
    priority: priorityOf(delivery),
  };
}

/** An Opsgenie channel. */
export function createOpsgenieChannel(name: string, options: OpsgenieChannel, timeoutMs: number): Channel {
  const base = (options.apiUrl ?? opsgenieUrls[options.region ?? 'us']).replace(/\/+$/, '');
  const secrets = [options.apiKey];
  const call = (path: string, body: object, signal: AbortSignal, method: 'POST' | 'PUT' = 'POST') =>
    request({ url: `${base}${path}`, method, body: JSON.stringify(body), headers: { authorization: `GenieKey ${options.apiKey}` }, signal, what: `opsgenie ${name}`, secrets });
  const onAlert = (delivery: Delivery, action: string) => `/v2/alerts/${encodeURIComponent(alertKey(delivery))}/${action}?identifierType=alias`;
  const said = (answers: HttpAnswer[]) => ({ answer: answers.map((answer) => describeAnswer(answer, secrets)).join('; '), sent: true });

  async function open(delivery: Delivery, signal: AbortSignal): Promise<HttpAnswer[]> {
    const alert = opsgenieAlert(delivery, options.tags);
    const created = await call('/v2/alerts', alert, signal);
    const { payload } = delivery;
    if (!isIncidentPayload(payload) || payload.event !== 'down' || payload.incident.escalatedAt === null) return [created];
    // Escalated: the create only counted up the degraded alert; raise it and say it is down.
    const raised = await call(onAlert(delivery, 'priority'), { priority: alert.priority }, signal, 'PUT');
    const renamed = await call(onAlert(delivery, 'message'), { message: alert.message }, signal, 'PUT');
    return [created, raised, renamed];
  }

  return {
    name,
    type: 'opsgenie',
    timeoutMs,
    async send(delivery, signal) {
      const note = { source: 'sitewatch', note: cut(describeDelivery(delivery).lines.join('\n'), 25_000) };
      if (delivery.test) return said([...(await open(delivery, signal)), await call(onAlert(delivery, 'close'), note, signal)]);
      switch (alertAction(delivery.payload)) {
        case 'open':
          return said(await open(delivery, signal));
        case 'remind':
          return said([await call(onAlert(delivery, 'notes'), note, signal)]);
        case 'close':
          return said([await call(onAlert(delivery, 'close'), note, signal)]);
      }
    },
    close: async () => undefined,
  };
}
