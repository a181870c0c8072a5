// PagerDuty's Events API v2 (developer.pagerduty.com, "Send an Alert Event" and "Response
// Codes & Retry Logic"), as a test receiver: POST /v2/enqueue with a JSON event; 202
// `{status: "success", message: "Event processed", dedup_key}`; 400 `{status: "invalid event",
// message: "Event object is invalid", errors: [...]}`. Like the real service it keeps alerts by
// dedup_key: a trigger opens one unless one is open under that key (then it is added to it), a
// resolve closes the open one (and is dropped when none is). A routing key it does not know
// is refused (400, `Invalid routing key`).
import { randomUUID } from 'node:crypto';
import { httpUrl, isoTime, problemsOf, type Fields } from './contract.js';
import { isJson, startServiceReceiver, type Answer, type ServiceReceiver, type ServiceRequest } from './receiver.js';

const link = { type: 'object', fields: { href: { type: 'string', required: true, pattern: httpUrl }, text: { type: 'string' } } } as const;
const image = { type: 'object', fields: { src: { type: 'string', required: true, pattern: /^https:\/\// }, href: { type: 'string' }, alt: { type: 'string' } } } as const;

const eventFields: Fields = {
  routing_key: { type: 'string', required: true, pattern: /^[A-Za-z0-9]{32}$/ },
  event_action: { type: 'string', required: true, enum: ['trigger', 'acknowledge', 'resolve'] },
  dedup_key: { type: 'string', max: 255 },
  payload: {
    type: 'object',
    fields: {
      summary: { type: 'string', required: true, min: 1, max: 1024 },
      source: { type: 'string', required: true, min: 1 },
      severity: { type: 'string', required: true, enum: ['critical', 'error', 'warning', 'info'] },
      timestamp: { type: 'string', pattern: isoTime },
      component: { type: 'string' },
      group: { type: 'string' },
      class: { type: 'string' },
      custom_details: { type: 'object' },
    },
  },
  images: { type: 'array', items: image },
  links: { type: 'array', items: link },
  client: { type: 'string' },
  client_url: { type: 'string', pattern: httpUrl },
};

/** An alert as PagerDuty holds it. */
export interface PagerDutyAlert {
  dedupKey: string;
  status: 'triggered' | 'resolved';
  severity: string;
  summary: string;
  /** Trigger events it took (the first opened it). */
  triggers: number;
  /** The custom_details of its latest trigger. */
  details: Record<string, unknown>;
}

/** A PagerDuty Events API on loopback. */
export interface PagerDutyReceiver extends ServiceReceiver {
  /** The URL to configure: `<base>/v2/enqueue`. */
  url: string;
  /** A routing key it accepts. */
  routingKey: string;
  /** Every alert ever opened, in order (a resolved one stays, resolved). */
  alerts: PagerDutyAlert[];
  /** Events it accepted (202), in order. */
  events: Record<string, unknown>[];
}

const invalid = (errors: string[]): Answer => ({ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } });

/** Starts the receiver. */
export async function startPagerDutyReceiver(): Promise<PagerDutyReceiver> {
  const routingKey = randomUUID().replaceAll('-', '');
  const alerts: PagerDutyAlert[] = [];
  const events: Record<string, unknown>[] = [];
  const open = (key: string) => alerts.find((alert) => alert.dedupKey === key && alert.status === 'triggered');

  function enqueue(request: ServiceRequest): Answer {
    if (request.method !== 'POST' || request.path !== '/v2/enqueue') return { status: 404, body: { status: 'not found', message: 'Not Found' } };
    if (!isJson(request) || request.json === undefined) return invalid(['Event object must be JSON']);
    const problems = problemsOf(request.json, eventFields);
    const event = request.json as { routing_key: string; event_action: string; dedup_key?: string; payload?: { summary: string; severity: string; custom_details?: Record<string, unknown> } };
    if (problems.length === 0 && event.event_action === 'trigger' && event.payload === undefined) problems.push("'payload' is missing or blank");
    if (problems.length === 0 && event.event_action !== 'trigger' && event.dedup_key === undefined) problems.push("'dedup_key' is missing or blank");
    if (problems.length > 0) return invalid(problems);
    if (event.routing_key !== routingKey) return invalid(['Invalid routing key']);
    events.push(request.json as Record<string, unknown>);
    const key = event.dedup_key ?? randomUUID();
    const alert = open(key);
    if (event.event_action === 'trigger') {
      const { summary, severity, custom_details: details = {} } = event.payload!;
      if (alert) Object.assign(alert, { triggers: alert.triggers + 1, severity, summary, details });
      else alerts.push({ dedupKey: key, status: 'triggered', severity, summary, triggers: 1, details });
    } else if (event.event_action === 'resolve' && alert) alert.status = 'resolved';
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: key } };
  }

  const receiver = await startServiceReceiver(enqueue);
  return Object.assign(receiver, { url: `${receiver.base}/v2/enqueue`, routingKey, alerts, events });
}
