// An ntfy server (docs.ntfy.sh, "Publishing": "Publish as JSON", "Message priority", "Tags &
// emojis", "Access tokens", "Updating notifications", and the server's limits), as a test
// receiver: POST / with a JSON body naming the topic; with an access token set, `Authorization:
// Bearer <token>` is needed (else 403 `{code: 40301, http: 403, error: "forbidden"}`); a body
// it cannot take is 400 `{code: 40024, http: 400, error}`; 200 with the message as stored. A
// message past 4,096 bytes becomes an attachment there (kept with `asAttachment`). A message
// with the `sequence_id` of one already on the topic replaces it on the phones (ntfy 2.16).
import { randomUUID } from 'node:crypto';
import { httpUrl, problemsOf, type Fields } from './contract.js';
import { isJson, startServiceReceiver, type Answer, type ServiceReceiver, type ServiceRequest } from './receiver.js';

const publishFields: Fields = {
  topic: { type: 'string', required: true, pattern: /^[-_A-Za-z0-9]{1,64}$/ },
  message: { type: 'string' },
  title: { type: 'string' },
  tags: { type: 'array', items: { type: 'string' } },
  priority: { type: 'integer', minimum: 1, maximum: 5 },
  actions: { type: 'array', max: 3 },
  click: { type: 'string', pattern: httpUrl },
  attach: { type: 'string' },
  markdown: { type: 'boolean' },
  icon: { type: 'string' },
  filename: { type: 'string' },
  delay: { type: 'string' },
  email: { type: 'string' },
  call: { type: 'string' },
  sequence_id: { type: 'string', pattern: /^[-_A-Za-z0-9]{1,64}$/ },
};

/** A notification as the phones subscribed to the topic show it. */
export interface NtfyNotification {
  id: string;
  topic: string;
  title?: string;
  message: string;
  priority: number;
  tags: string[];
  click?: string;
  sequenceId: string;
  /** The message was past 4,096 bytes: the server made it an attachment. */
  asAttachment: boolean;
  /** Times it was published (more than 1: replaced in place by its sequence id). */
  published: number;
}

/** An ntfy server on loopback. */
export interface NtfyReceiver extends ServiceReceiver {
  /** The topic's URL to configure. */
  url: string;
  topic: string;
  /** The access token it wants. */
  token: string;
  /** The notifications on the phones, in order of their first publication. */
  notifications: NtfyNotification[];
}

const failure = (http: number, code: number, error: string): Answer => ({ status: http, body: { code, http, error, link: 'https://ntfy.sh/docs/publish/' } });

/** Starts the receiver. */
export async function startNtfyReceiver(): Promise<NtfyReceiver> {
  const topic = `alerts_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  const token = `tk_${randomUUID().replaceAll('-', '').slice(0, 29)}`;
  const notifications: NtfyNotification[] = [];

  function handle(request: ServiceRequest): Answer {
    if (request.method !== 'POST' || request.path !== '/') return failure(404, 40401, 'page not found');
    if (request.headers.authorization !== `Bearer ${token}`) return failure(403, 40301, 'forbidden');
    const problems = isJson(request) || request.json !== undefined ? problemsOf(request.json, publishFields) : ['the body must be JSON'];
    if (problems.length > 0) return failure(400, 40024, `invalid request: ${problems.join('; ')}`);
    const body = request.json as { topic: string; message?: string; title?: string; priority?: number; tags?: string[]; click?: string; sequence_id?: string };
    if (body.topic !== topic) return failure(403, 40301, 'forbidden');
    const id = randomUUID().replaceAll('-', '').slice(0, 12);
    const message = body.message ?? 'triggered';
    const shown = { topic, message, priority: body.priority ?? 3, tags: body.tags ?? [], asAttachment: Buffer.byteLength(message) > 4096, ...(body.title ? { title: body.title } : {}), ...(body.click ? { click: body.click } : {}) };
    const replaced = body.sequence_id === undefined ? undefined : notifications.find((n) => n.sequenceId === body.sequence_id);
    if (replaced) Object.assign(replaced, shown, { id, published: replaced.published + 1 });
    else notifications.push({ id, ...shown, sequenceId: body.sequence_id ?? id, published: 1 });
    return { status: 200, body: { id, time: Math.floor(Date.now() / 1000), expires: Math.floor(Date.now() / 1000) + 43_200, event: 'message', ...body, sequence_id: body.sequence_id ?? id } };
  }

  const receiver = await startServiceReceiver(handle);
  return Object.assign(receiver, { url: `${receiver.base}/${topic}`, topic, token, notifications });
}
