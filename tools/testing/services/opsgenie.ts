// Opsgenie's Alert API (docs.opsgenie.com, "Alert API"), as a test receiver: `Authorization:
// GenieKey <key>` (else 401 `{message: "Could not authenticate"}`); POST /v2/alerts (create),
// POST /v2/alerts/:id/close and /notes, PUT /v2/alerts/:id/priority and /message, each with
// `identifierType` (id, tiny or alias; default id); 202 `{result: "Request will be processed",
// took, requestId}`; 422 `{message: "Request body is not processable...", errors}` for a body
// it cannot take. Like the real service it processes each request after answering it, keeping
// one open alert per alias: a create under an open alias counts it up, a close closes it; an
// action on an alert it does not hold fails there (listed in `failedRequests`).
import { randomUUID } from 'node:crypto';
import { problemsOf, type Fields } from './contract.js';
import { isJson, startServiceReceiver, type Answer, type ServiceReceiver, type ServiceRequest } from './receiver.js';

const note = { user: { type: 'string', max: 100 }, source: { type: 'string', max: 100 }, note: { type: 'string', max: 25_000 } } as const;
const responder = { type: 'object', fields: { id: { type: 'string' }, name: { type: 'string' }, username: { type: 'string' }, type: { type: 'string', required: true, enum: ['team', 'user', 'escalation', 'schedule'] } } } as const;

const createFields: Fields = {
  message: { type: 'string', required: true, min: 1, max: 130 },
  alias: { type: 'string', max: 512 },
  description: { type: 'string', max: 15_000 },
  responders: { type: 'array', max: 50, items: responder },
  visibleTo: { type: 'array', max: 50, items: responder },
  actions: { type: 'array', max: 10, items: { type: 'string', max: 50 } },
  tags: { type: 'array', max: 20, items: { type: 'string', max: 50 } },
  details: { type: 'object', values: { type: 'string' } },
  entity: { type: 'string', max: 512 },
  source: { type: 'string', max: 100 },
  priority: { type: 'string', enum: ['P1', 'P2', 'P3', 'P4', 'P5'] },
  user: { type: 'string', max: 100 },
  note: { type: 'string', max: 25_000 },
};

const actionFields: Record<string, { method: string; fields: Fields }> = {
  close: { method: 'POST', fields: note },
  notes: { method: 'POST', fields: { ...note, note: { type: 'string', required: true, min: 1, max: 25_000 } } },
  priority: { method: 'PUT', fields: { priority: { type: 'string', required: true, enum: ['P1', 'P2', 'P3', 'P4', 'P5'] } } },
  message: { method: 'PUT', fields: { message: { type: 'string', required: true, min: 1, max: 130 } } },
};

/** An alert as Opsgenie holds it. */
export interface OpsgenieAlert {
  alias: string;
  status: 'open' | 'closed';
  message: string;
  priority: string;
  /** Creates it took (the first opened it; the others were deduplicated). */
  count: number;
  tags: string[];
  details: Record<string, string>;
  notes: string[];
}

/** An Opsgenie Alert API on loopback. */
export interface OpsgenieReceiver extends ServiceReceiver {
  /** The API key it accepts. */
  apiKey: string;
  /** Every alert ever created, in order (a closed one stays, closed). */
  alerts: OpsgenieAlert[];
  /** Requests it accepted (202) and then could not process, with the reason (`Alert does not exist`). */
  failedRequests: { path: string; status: string }[];
}

const took = () => ({ took: 0.01, requestId: randomUUID() });
const unprocessable = (problems: string[]): Answer => ({ status: 422, body: { message: 'Request body is not processable. Please check the errors.', errors: Object.fromEntries(problems.map((p, i) => [String(i), p])), ...took() } });

/** Starts the receiver. */
export async function startOpsgenieReceiver(): Promise<OpsgenieReceiver> {
  const apiKey = randomUUID();
  const alerts: OpsgenieAlert[] = [];
  const failedRequests: OpsgenieReceiver['failedRequests'] = [];
  const openAlias = (alias: string) => alerts.find((alert) => alert.alias === alias && alert.status === 'open');

  function create(body: { message: string; alias?: string; priority?: string; tags?: string[]; details?: Record<string, string> }): void {
    const alias = body.alias ?? randomUUID();
    const alert = openAlias(alias);
    if (alert) alert.count += 1;
    else alerts.push({ alias, status: 'open', message: body.message, priority: body.priority ?? 'P3', count: 1, tags: body.tags ?? [], details: body.details ?? {}, notes: [] });
  }

  function act(request: ServiceRequest, identifier: string, action: string): void {
    // Processed after the answer, as Opsgenie does: an alert that is not there fails the request, not the call.
    const alert = (request.query.get('identifierType') ?? 'id') === 'alias' ? openAlias(identifier) : undefined;
    if (!alert) return void failedRequests.push({ path: request.path, status: 'Alert does not exist' });
    const body = request.json as Record<string, string>;
    if (action === 'close') alert.status = 'closed';
    if (action === 'notes') alert.notes.push(body.note!);
    if (action === 'priority') alert.priority = body.priority!;
    if (action === 'message') alert.message = body.message!;
  }

  function handle(request: ServiceRequest): Answer {
    if (request.headers.authorization !== `GenieKey ${apiKey}`) return { status: 401, body: { message: 'Could not authenticate', ...took() } };
    const action = /^\/v2\/alerts\/([^/]+)\/(close|notes|priority|message)$/.exec(request.path);
    const spec = action ? actionFields[action[2]!]! : request.path === '/v2/alerts' ? { method: 'POST', fields: createFields } : undefined;
    if (spec === undefined || spec.method !== request.method) return { status: 404, body: { message: 'Could not find the endpoint', ...took() } };
    if (!isJson(request)) return { status: 415, body: { message: 'Unsupported Media Type', ...took() } };
    const type = request.query.get('identifierType');
    const problems = [...problemsOf(request.json, spec.fields), ...(type !== null && !['id', 'tiny', 'alias'].includes(type) ? [`identifierType: must be one of id, tiny, alias`] : [])];
    if (problems.length > 0) return unprocessable(problems);
    if (action) act(request, decodeURIComponent(action[1]!), action[2]!);
    else create(request.json as Parameters<typeof create>[0]);
    return { status: 202, body: { result: 'Request will be processed', ...took() } };
  }

  const receiver = await startServiceReceiver(handle);
  return Object.assign(receiver, { apiKey, alerts, failedRequests });
}
